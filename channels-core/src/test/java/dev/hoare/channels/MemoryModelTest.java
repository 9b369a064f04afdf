package dev.hoare.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Go's memory model: writes before a send happen-before the receive returns; writes before a close
 * happen-before a receive that reports closed. Plain (non-volatile) fields carry the data, so a
 * missing edge shows up as a stale read on a weakly ordered run; on x86 this mostly guards against
 * the compiler hoisting or reordering the reads.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemoryModelTest {

    /** Deliberately plain fields. */
    static final class Box {
        int a;
        long b;
        String c;
    }

    static int shared;

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#lossless")
    void writesBeforeSendAreVisibleAfterReceive(ChannelKind kind) throws Exception {
        Channel<Box> ch = kind.create();
        int n = 200_000;
        CompletableFuture<Void> producer = TestSupport.run(() -> {
            for (int i = 1; i <= n; i++) {
                Box box = new Box();
                box.a = i;
                box.b = i * 3L;
                box.c = "v" + (i & 7);
                ch.send(box);
            }
        });
        for (int i = 1; i <= n; i++) {
            Box box = ch.receive();
            assertEquals(i, box.a);
            assertEquals(i * 3L, box.b);
            assertEquals("v" + (i & 7), box.c);
        }
        producer.get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void writesBeforeCloseAreVisibleToAClosedReceive(ChannelKind kind) throws Exception {
        for (int round = 1; round <= 2000; round++) {
            Channel<String> ch = kind.create();
            int expected = round;
            CompletableFuture<Integer> receiver = TestSupport.async(() -> {
                assertTrue(ch.receiveResult().isClosed());
                return shared;
            });
            shared = expected;
            ch.close();
            assertEquals(expected, receiver.get(10, TimeUnit.SECONDS));
        }
    }
}
