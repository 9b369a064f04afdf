package dev.hoare.channels.micrometer;

import dev.hoare.channels.ChannelStats;
import dev.hoare.channels.Channels;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Exposes a channel end's counters ({@link Channels#stats}) as Micrometer meters, for
 * applications that already ship metrics.
 *
 * <pre>{@code
 * Channel<Order> orders = Channel.<Order>builder().capacity(64).name("orders").build();
 * ChannelMetrics.of(orders).bindTo(registry);
 * }</pre>
 *
 * <h2>Meters</h2>
 * Every meter is tagged {@code channel} (the end's name, or the name given to
 * {@link #of(String, Object)}) and {@code transport} ({@code inproc}, {@code broadcast},
 * {@code uds}, ...).
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type</th><th>value</th></tr>
 *   <tr><td>{@code hoare.channel.sent}</td><td>function counter</td><td>values sent (accepted)</td></tr>
 *   <tr><td>{@code hoare.channel.received}</td><td>function counter</td><td>values received (not for a remote send end)</td></tr>
 *   <tr><td>{@code hoare.channel.depth}</td><td>gauge</td><td>values buffered now</td></tr>
 *   <tr><td>{@code hoare.channel.capacity}</td><td>gauge</td><td>the capacity (not for an unlimited one)</td></tr>
 *   <tr><td>{@code hoare.channel.blocked}</td><td>gauge, tag {@code operation=send|receive}</td><td>threads waiting now</td></tr>
 *   <tr><td>{@code hoare.channel.blocked.time}</td><td>function counter, seconds, tag {@code operation}</td><td>total time threads waited</td></tr>
 *   <tr><td>{@code hoare.channel.frames}</td><td>function counter, tag {@code direction=out|in}</td><td>remote ends only</td></tr>
 *   <tr><td>{@code hoare.channel.credits}</td><td>gauge</td><td>remote send ends on two-way links only</td></tr>
 * </table>
 * A counter the end does not keep ({@link ChannelStats#UNKNOWN} when bound) gets no meter.
 *
 * <p>The meters hold the end weakly (Micrometer's function meters do): binding never keeps a
 * channel alive; once it is collected its meters read {@code NaN}. Each meter reads the end's
 * counters when the registry polls it (a brief lock, see {@link Channels#stats}).
 */
public final class ChannelMetrics implements MeterBinder {
    private final Object end;
    private final String name;
    private final Iterable<Tag> tags;

    private ChannelMetrics(Object end, String name, Iterable<Tag> tags) {
        this.end = end;
        this.name = name;
        this.tags = tags;
    }

    /**
     * @param end a channel end that keeps counters (a named or unnamed channel, a view, a
     *     subscription, a remote end); tagged with its own name
     * @return the binder
     * @throws IllegalArgumentException if the end keeps no counters, or has no name (use {@link #of(String, Object)})
     */
    public static ChannelMetrics of(Object end) {
        String name = stats(end).name();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("the end has no name: give one with ChannelMetrics.of(name, end)");
        }
        return new ChannelMetrics(end, name, Tags.empty());
    }

    /**
     * @param name the {@code channel} tag
     * @param end a channel end that keeps counters
     * @return the binder
     * @throws IllegalArgumentException if the end keeps no counters
     */
    public static ChannelMetrics of(String name, Object end) {
        stats(end);
        return new ChannelMetrics(end, Objects.requireNonNull(name, "name"), Tags.empty());
    }

    /**
     * @param extra more tags on every meter
     * @return a binder like this one with the tags added
     */
    public ChannelMetrics withTags(Iterable<Tag> extra) {
        return new ChannelMetrics(end, name, Tags.concat(tags, extra));
    }

    private static ChannelStats stats(Object end) {
        return Channels.stats(Objects.requireNonNull(end, "end"))
                .orElseThrow(() -> new IllegalArgumentException("this end keeps no counters: " + end));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        ChannelStats now = stats(end);
        Tags base = Tags.concat(tags, Tags.of("channel", name, "transport", now.transport()));
        counter(registry, "hoare.channel.sent", "values sent (accepted) by the channel", base, now.sent(), ChannelStats::sent);
        counter(registry, "hoare.channel.received", "values received from the channel", base, now.received(), ChannelStats::received);
        gauge(registry, "hoare.channel.depth", "values buffered in the channel now", base, now.depth(), ChannelStats::depth);
        if (now.capacity() != Long.MAX_VALUE) {
            gauge(registry, "hoare.channel.capacity", "the channel's capacity", base, now.capacity(), ChannelStats::capacity);
        }
        gauge(registry, "hoare.channel.blocked", "threads waiting now", base.and("operation", "send"), now.blockedSenders(),
                ChannelStats::blockedSenders);
        gauge(registry, "hoare.channel.blocked", "threads waiting now", base.and("operation", "receive"), now.blockedReceivers(),
                ChannelStats::blockedReceivers);
        seconds(registry, base.and("operation", "send"), now.sendBlockedNanos(), ChannelStats::sendBlockedNanos);
        seconds(registry, base.and("operation", "receive"), now.receiveBlockedNanos(), ChannelStats::receiveBlockedNanos);
        counter(registry, "hoare.channel.frames", "frames on the end's link", base.and("direction", "out"), now.framesOut(),
                ChannelStats::framesOut);
        counter(registry, "hoare.channel.frames", "frames on the end's link", base.and("direction", "in"), now.framesIn(),
                ChannelStats::framesIn);
        gauge(registry, "hoare.channel.credits", "values the sender may still send before it waits", base, now.credits(),
                ChannelStats::credits);
    }

    private void counter(MeterRegistry registry, String meter, String description, Tags t, long atBind, ToLongFunction<ChannelStats> f) {
        if (atBind != ChannelStats.UNKNOWN) {
            FunctionCounter.builder(meter, end, e -> read(e, f)).description(description).tags(t).register(registry);
        }
    }

    private void gauge(MeterRegistry registry, String meter, String description, Tags t, long atBind, ToLongFunction<ChannelStats> f) {
        if (atBind != ChannelStats.UNKNOWN) {
            Gauge.builder(meter, end, e -> read(e, f)).description(description).tags(t).register(registry);
        }
    }

    private void seconds(MeterRegistry registry, Tags t, long atBind, ToLongFunction<ChannelStats> nanos) {
        if (atBind != ChannelStats.UNKNOWN) {
            FunctionCounter.builder("hoare.channel.blocked.time", end, e -> read(e, nanos) / 1e9)
                    .description("total time threads waited on the channel").baseUnit("seconds").tags(t).register(registry);
        }
    }

    private static double read(Object end, ToLongFunction<ChannelStats> f) {
        return Channels.stats(end).map(s -> (double) f.applyAsLong(s)).orElse(Double.NaN);
    }
}
