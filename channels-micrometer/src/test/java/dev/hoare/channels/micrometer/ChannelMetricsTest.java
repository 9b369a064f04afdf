package dev.hoare.channels.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.Channel;
import dev.hoare.channels.Channels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The binder's meters read the channel's counters. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChannelMetricsTest {

    @Test
    void metersFollowTheChannelsCounters() throws Exception {
        Channel<Integer> orders = Channel.<Integer>builder().capacity(4).name("orders").build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ChannelMetrics.of(orders).bindTo(registry);
        for (int i = 0; i < 4; i++) {
            orders.send(i);
        }
        orders.receive();
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                orders.send(9);
                orders.send(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Channels.stats(orders).orElseThrow().blockedSenders() != 1) {
            assertTrue(System.nanoTime() < deadline, "the second send never blocked");
            Thread.sleep(1);
        }
        assertEquals(5, registry.get("hoare.channel.sent").tag("channel", "orders").tag("transport", "inproc")
                .functionCounter().count());
        assertEquals(1, registry.get("hoare.channel.received").functionCounter().count());
        assertEquals(4, registry.get("hoare.channel.depth").gauge().value());
        assertEquals(4, registry.get("hoare.channel.capacity").gauge().value());
        assertEquals(1, registry.get("hoare.channel.blocked").tag("operation", "send").gauge().value());
        assertEquals(0, registry.get("hoare.channel.blocked").tag("operation", "receive").gauge().value());
        orders.receive();
        sender.join();
        assertTrue(registry.get("hoare.channel.blocked.time").tag("operation", "send").functionCounter().count() > 0);
        assertNull(registry.find("hoare.channel.frames").meter(), "an in-process channel has no frames");
        assertNull(registry.find("hoare.channel.credits").meter());
    }

    @Test
    void anUnnamedChannelNeedsANameForItsTag() {
        Channel<Integer> unnamed = Channel.buffered(2);
        assertThrows(IllegalArgumentException.class, () -> ChannelMetrics.of(unnamed));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ChannelMetrics.of("jobs", unnamed.sendOnly()).bindTo(registry);
        unnamed.trySend(1);
        assertEquals(1, registry.get("hoare.channel.sent").tag("channel", "jobs").functionCounter().count());
        assertEquals(2, registry.get("hoare.channel.capacity").gauge().value());
    }
}
