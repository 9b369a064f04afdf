package dev.hoare.channels.remote;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Select;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.link.Link;
import dev.hoare.channels.link.StreamOptions;
import java.io.IOException;
import java.util.Objects;

/**
 * For transport implementations: runs a channel end over a byte stream ({@link Link}) with the
 * wire protocol of docs/wire-format.md. A transport opens the stream (a socket, a FIFO) and hands
 * it here; what comes back is a real channel end: blocking, timed and non-blocking operations,
 * close with cause reaching the peer after every value sent before it, a {@link Select} case, and
 * {@link PeerLostException} as the close cause when the peer goes away without closing.
 *
 * <p>Over a two-way link the receiver grants credits, so the sender is never more than
 * {@link StreamOptions#capacity()} values ahead of the receiving application (capacity 0 allows
 * one value in flight). Over a one-way link (a FIFO) the capacity is the receiver's buffer of
 * decoded values plus the sender's outbox, and the OS buffer between them.
 *
 * <p>Part of the transport SPI: may change in any minor version until 1.0 (see the stability
 * promise of {@link dev.hoare.channels.spi}).
 */
public final class StreamChannels {
    private StreamChannels() {
    }

    /**
     * Runs the sending end of a channel over {@code link}: sends HELLO and, on a two-way link,
     * waits (up to the options' timeout) for the receiver's HELLO and capacity.
     *
     * @param link the stream; owned by the returned end from now on
     * @param codec how values become bytes; the receiver must use the same
     * @param options capacity (one-way links), frame size, timeout, threads
     * @param <T> the value type
     * @return the send end
     * @throws IOException if the handshake fails (a {@link ChannelProtocolException} naming the
     *     mismatch) or times out, or the link breaks; the link is closed then
     */
    public static <T> SendChannel<T> sender(Link link, Codec<T> codec, StreamOptions options) throws IOException {
        return RemoteSendChannel.open(Objects.requireNonNull(link, "link"), Objects.requireNonNull(codec, "codec"),
                Objects.requireNonNull(options, "options"));
    }

    /**
     * Runs the receiving end of a channel over {@code link}: waits (up to the options' timeout)
     * for the sender's HELLO, and on a two-way link answers with its own and its capacity.
     *
     * @param link the stream; owned by the returned end from now on
     * @param codec how bytes become values; the sender must use the same
     * @param options capacity, frame size, timeout, threads
     * @param <T> the value type
     * @return the receive end
     * @throws IOException if the handshake fails or times out, or the link breaks; the link is closed then
     */
    public static <T> ReceiveChannel<T> receiver(Link link, Codec<T> codec, StreamOptions options) throws IOException {
        return RemoteReceiveChannel.open(Objects.requireNonNull(link, "link"), Objects.requireNonNull(codec, "codec"),
                Objects.requireNonNull(options, "options"));
    }

    /**
     * A receive end that any number of senders' two-way links join over time (a server's
     * Any2One): their values are fanned into one channel, each sender getting its own credits
     * (never more than the capacity ahead of the application). A sender's close or loss ends only
     * its link (a loss is logged); the channel ends when the application closes it, which also
     * tells every connected sender.
     *
     * @param codec how bytes become values; every sender must use the same
     * @param options capacity (per sender), frame size, handshake timeout, threads
     * @param <T> the value type
     * @return the fan-in; attach links to it
     */
    public static <T> FanIn<T> fanIn(Codec<T> codec, StreamOptions options) {
        return new FanIn<>(RemoteReceiveChannel.fanIn(Objects.requireNonNull(codec, "codec"),
                Objects.requireNonNull(options, "options")));
    }

    /**
     * See {@link #fanIn}.
     *
     * @param <T> the value type
     */
    public static final class FanIn<T> {
        private final RemoteReceiveChannel<T> end;

        private FanIn(RemoteReceiveChannel<T> end) {
            this.end = end;
        }

        /** @return the channel every attached sender sends into */
        public ReceiveChannel<T> channel() {
            return end;
        }

        /**
         * Attaches a sender's link: the handshake runs on the link's reader thread (a link that
         * fails it is closed and logged).
         *
         * @param link a two-way link to a sender; owned by the fan-in from now on
         * @throws IOException if the link fails at once (it is closed then)
         * @throws ChannelClosedException if the channel was closed
         */
        public void attach(Link link) throws IOException {
            end.attach(Objects.requireNonNull(link, "link"));
        }
    }

    /**
     * Runs two channels over one two-way link, one each way, as the side that opened the
     * connection ({@link Role#CONNECTING}); the other side calls
     * {@link #duplex(Link, Role, Codec, Codec, StreamOptions)} with {@link Role#ACCEPTING}.
     *
     * @param link a two-way link; owned by the returned pair from now on (closed when both ends are)
     * @param sendCodec the codec of what this side sends (the peer's receive codec)
     * @param receiveCodec the codec of what this side receives (the peer's send codec)
     * @param options capacity (of the channel coming in), frame size, timeout, threads, liveness
     * @param <S> what this side sends
     * @param <R> what this side receives
     * @return the two ends
     * @throws IOException if a handshake fails or times out; the link is closed then
     */
    public static <S, R> Duplex<S, R> duplex(Link link, Codec<S> sendCodec, Codec<R> receiveCodec, StreamOptions options)
            throws IOException {
        return duplex(link, Role.CONNECTING, sendCodec, receiveCodec, options);
    }

    /**
     * Runs two channels over one two-way link, one each way: for a request/response connection.
     * Both sides call this (with their codecs swapped and opposite roles); it waits up to the
     * options' timeout for both handshakes. The role names the streams (docs/wire-format.md): the
     * channel the connecting side sends on is stream 1, the other stream 2; two sides of the
     * same role refuse each other's frames ("unknown stream").
     *
     * @param link a two-way link; owned by the returned pair from now on (closed when both ends are)
     * @param role which side of the connection this is
     * @param sendCodec the codec of what this side sends (the peer's receive codec)
     * @param receiveCodec the codec of what this side receives (the peer's send codec)
     * @param options capacity (of the channel coming in), frame size, timeout, threads, liveness
     *     (of the connection as a whole)
     * @param <S> what this side sends
     * @param <R> what this side receives
     * @return the two ends
     * @throws IOException if a handshake fails or times out; the link is closed then
     */
    public static <S, R> Duplex<S, R> duplex(Link link, Role role, Codec<S> sendCodec, Codec<R> receiveCodec,
            StreamOptions options) throws IOException {
        DuplexLink shared = new DuplexLink(Objects.requireNonNull(link, "link"), Objects.requireNonNull(role, "role") == Role.ACCEPTING,
                options.maxFrame(), options.capacity(), options.liveness());
        shared.start(options.platformThreads() ? Thread.ofPlatform().daemon(true) : Thread.ofVirtual());
        RemoteReceiveChannel<R> in = RemoteReceiveChannel.single(Objects.requireNonNull(receiveCodec, "receiveCodec"), options);
        RemoteReceiveChannel<R>.Connection incoming = in.attach(shared.receiveSide);
        RemoteSendChannel<S> out = RemoteSendChannel.start(shared.sendSide, Objects.requireNonNull(sendCodec, "sendCodec"), options);
        try {
            incoming.frames().awaitHandshake();
            out.handshake().awaitHandshake();
        } catch (IOException e) {
            in.cancel(e);
            out.cancel(e);
            throw e;
        }
        return new Duplex<>(out, in);
    }

    /** Which side of a connection calls {@link #duplex(Link, Role, Codec, Codec, StreamOptions)}. */
    public enum Role {
        /** The side that opened the connection (a client's connect): it sends on stream 1. */
        CONNECTING,
        /** The side that accepted it (a server): it sends on stream 2. */
        ACCEPTING
    }

    /**
     * A channel each way over one link.
     *
     * @param out what this side sends
     * @param in what this side receives
     * @param <S> what this side sends
     * @param <R> what this side receives
     */
    public record Duplex<S, R>(SendChannel<S> out, ReceiveChannel<R> in) implements AutoCloseable {
        /** Closes the send end (its values go out first) and releases the receive end. */
        @Override
        public void close() {
            out.close();
            in.close();
        }
    }
}
