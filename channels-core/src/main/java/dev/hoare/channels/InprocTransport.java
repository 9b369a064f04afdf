package dev.hoare.channels;

import dev.hoare.channels.spi.ChannelTransport;
import dev.hoare.channels.spi.Endpoint;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code inproc:NAME[?capacity=N]}: channels shared by name inside one JVM; the reference
 * implementation of the transport SPI and a stand-in for a remote channel in tests.
 *
 * <p>The first open of a name creates its channel with the given capacity (default 0, a
 * rendezvous); later opens get the same channel, and must name the same codec (as a remote
 * handshake would check) and, if they give one, the same capacity. Values are handed over as the
 * objects themselves (no encoding: one JVM). Once a named channel is closed and drained, the next
 * open of the name makes a fresh one. Both ends are plain views of the channel, so they are
 * {@link Select} cases like any other.
 */
public final class InprocTransport implements ChannelTransport {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,255}");
    private static final Set<String> OPTIONS = Set.of("capacity");
    private static final ConcurrentHashMap<String, Named> REGISTRY = new ConcurrentHashMap<>();

    private record Named(Channel<Object> channel, String codecId) {
    }

    /** Made by {@link java.util.ServiceLoader}; use {@code Channels.openSend/openReceive}. */
    public InprocTransport() {
    }

    @Override
    public String scheme() {
        return "inproc";
    }

    @Override
    public <T> SendChannel<T> openSend(Endpoint endpoint, Codec<T> codec) {
        return InprocTransport.<T>named(endpoint, codec).sendOnly();
    }

    @Override
    public <T> ReceiveChannel<T> openReceive(Endpoint endpoint, Codec<T> codec) {
        return InprocTransport.<T>named(endpoint, codec).receiveOnly();
    }

    @SuppressWarnings("unchecked")
    private static <T> Channel<T> named(Endpoint endpoint, Codec<T> codec) {
        endpoint.onlyOptions(OPTIONS);
        String name = endpoint.address();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("inproc name must be 1-255 of [A-Za-z0-9._-], was '" + name + "'");
        }
        java.util.Objects.requireNonNull(codec, "codec");
        boolean explicitCapacity = endpoint.options().containsKey("capacity");
        int capacity = endpoint.intOption("capacity", 0);
        Named named = REGISTRY.compute(name, (n, old) -> old != null && !old.channel().isClosedForReceive() ? old
                : new Named(Channel.buffered(capacity), codec.id()));
        if (!named.codecId().equals(codec.id())) {
            throw new IllegalArgumentException("codec mismatch on inproc:" + name + ": it uses '" + named.codecId()
                    + "', this open uses '" + codec.id() + "'");
        }
        if (explicitCapacity && named.channel().capacity() != capacity) {
            throw new IllegalArgumentException("inproc:" + name + " exists with capacity " + named.channel().capacity()
                    + ", not " + capacity);
        }
        return (Channel<T>) named.channel();
    }
}
