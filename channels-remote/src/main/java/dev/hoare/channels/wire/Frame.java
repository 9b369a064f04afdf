package dev.hoare.channels.wire;

import dev.hoare.channels.ChannelProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One frame: a kind, the stream it belongs to, and its payload. See docs/wire-format.md for the
 * layout: {@code u32 length (big-endian, counts kind + stream + payload) | u8 kind | u32 stream | payload}.
 *
 * <p>Streams: {@link #CONNECTION_STREAM} (0) is the connection itself and carries only PING and
 * PONG; every other kind names a channel's stream, 1 or more. A link that carries one channel
 * uses {@link #FIRST_STREAM}; a connection that carries a channel each way uses
 * {@link #FIRST_STREAM} for the channel whose sender opened the connection and
 * {@link #SECOND_STREAM} for the other (odd: opened by the connecting side, even: by the
 * accepting side, as in HTTP/2).
 *
 * @param kind the kind
 * @param stream the stream (0 for PING and PONG, at least 1 for every other kind)
 * @param payload the payload bytes (empty for CLOSE)
 */
public record Frame(FrameKind kind, int stream, byte[] payload) {
    /** The four bytes that open every HELLO payload: ASCII "HOAR". */
    public static final int MAGIC = 0x484F4152;
    /** The protocol version this code speaks. */
    public static final int VERSION = 2;
    /** The default largest frame (kind + stream + payload) a reader accepts: 16 MiB. */
    public static final int DEFAULT_MAX_FRAME = 16 * 1024 * 1024;
    /** The stream of the connection itself: PING and PONG, and nothing else. */
    public static final int CONNECTION_STREAM = 0;
    /** The stream of a link's only channel, or of the channel whose sender opened the connection. */
    public static final int FIRST_STREAM = 1;
    /** The stream of the channel whose sender accepted the connection (a channel each way). */
    public static final int SECOND_STREAM = 2;

    /** Checks the stream against the kind: 0 for PING and PONG, at least 1 (unsigned) for the rest. */
    public Frame {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(payload, "payload");
        if ((stream == CONNECTION_STREAM) != kind.connectionLevel()) {
            throw new IllegalArgumentException(kind + " frame on stream " + Integer.toUnsignedString(stream)
                    + (kind.connectionLevel() ? ": it belongs to stream 0" : ": stream 0 carries only PING and PONG"));
        }
    }

    /**
     * A frame on the stream its kind goes on by default: {@link #CONNECTION_STREAM} for PING and
     * PONG, {@link #FIRST_STREAM} for the rest (a link that carries one channel).
     *
     * @param kind the kind
     * @param payload the payload
     */
    public Frame(FrameKind kind, byte[] payload) {
        this(kind, kind.connectionLevel() ? CONNECTION_STREAM : FIRST_STREAM, payload);
    }

    /**
     * @param to a stream (at least 1; this frame is not a PING or PONG)
     * @return this frame on that stream
     */
    public Frame onStream(int to) {
        return to == stream ? this : new Frame(kind, to, payload);
    }

    /**
     * @param token eight bytes the peer sends back in its PONG
     * @return a PING frame (stream 0)
     */
    public static Frame ping(long token) {
        return new Frame(FrameKind.PING, ByteBuffer.allocate(8).putLong(token).array());
    }

    /**
     * @return the PONG that answers this PING: the same payload, stream 0
     * @throws ChannelProtocolException if this PING's payload is not 8 bytes
     */
    public Frame pong() throws ChannelProtocolException {
        expect(FrameKind.PING);
        if (payload.length != 8) {
            throw new ChannelProtocolException("PING payload must be 8 bytes, was " + payload.length);
        }
        return new Frame(FrameKind.PONG, payload);
    }

    /** @return a DATA frame */
    public static Frame data(byte[] payload) {
        return new Frame(FrameKind.DATA, payload);
    }

    /** @return a CLOSE frame */
    public static Frame close() {
        return new Frame(FrameKind.CLOSE, new byte[0]);
    }

    /**
     * @param cause the close cause: its class name and message cross, not the object
     * @return a CLOSE_WITH_CAUSE frame
     */
    public static Frame closeWithCause(Throwable cause) {
        byte[] type = cause.getClass().getName().getBytes(StandardCharsets.UTF_8);
        byte[] message = String.valueOf(cause.getMessage()).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + type.length + 4 + message.length);
        b.putShort((short) type.length).put(type).putInt(message.length).put(message);
        return new Frame(FrameKind.CLOSE_WITH_CAUSE, b.array());
    }

    /**
     * @param cause why, or {@code null}
     * @return a RELEASE frame (the receiver released its end)
     */
    public static Frame release(Throwable cause) {
        return new Frame(FrameKind.RELEASE, cause == null ? new byte[0] : closeWithCause(cause).payload());
    }

    /**
     * @param credits how many more values the sender may send
     * @return a CREDIT frame
     */
    public static Frame credit(int credits) {
        return new Frame(FrameKind.CREDIT, ByteBuffer.allocate(4).putInt(credits).array());
    }

    /**
     * @param codecId the codec this side uses
     * @param maxFrame the largest frame this side accepts
     * @return a HELLO frame that asks for no heartbeat (liveness 0)
     */
    public static Frame hello(String codecId, int maxFrame) {
        return hello(codecId, maxFrame, 0);
    }

    /**
     * @param codecId the codec this side uses
     * @param maxFrame the largest frame this side accepts
     * @param livenessMillis after how many milliseconds without a frame from the peer this side
     *     calls it lost (0: never): the peer sends a PING whenever it has sent nothing for a
     *     quarter of it
     * @return a HELLO frame
     */
    public static Frame hello(String codecId, int maxFrame, long livenessMillis) {
        byte[] codec = codecId.getBytes(StandardCharsets.UTF_8);
        if (codec.length > 255) {
            throw new IllegalArgumentException("codec id longer than 255 bytes");
        }
        if (livenessMillis < 0 || livenessMillis > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("liveness must be 0 to 2^32-1 ms, was " + livenessMillis);
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + 1 + codec.length + 4 + 4);
        b.putInt(MAGIC).putShort((short) VERSION).put((byte) codec.length).put(codec).putInt(maxFrame)
                .putInt((int) livenessMillis);
        return new Frame(FrameKind.HELLO, b.array());
    }

    /**
     * The liveness a checked HELLO announces ({@link #checkHello} first).
     *
     * @return milliseconds without a frame after which the peer calls this side lost; 0: never
     * @throws ChannelProtocolException if the payload is malformed
     */
    public long helloLiveness() throws ChannelProtocolException {
        expect(FrameKind.HELLO);
        try {
            ByteBuffer b = ByteBuffer.wrap(payload);
            int at = 4 + 2 + 1 + Byte.toUnsignedInt(b.get(6)) + 4;
            return Integer.toUnsignedLong(b.getInt(at));
        } catch (RuntimeException e) {
            throw new ChannelProtocolException("malformed HELLO payload", e);
        }
    }

    /**
     * The peer's close cause, rebuilt as a {@link RemoteCause} (the class is not instantiated).
     *
     * @return the cause of a CLOSE_WITH_CAUSE frame, or of a RELEASE frame ({@code null} if it has none)
     * @throws ChannelProtocolException if the payload is malformed
     */
    public RemoteCause cause() throws ChannelProtocolException {
        if (kind == FrameKind.RELEASE && payload.length == 0) {
            return null;
        }
        if (kind != FrameKind.RELEASE) {
            expect(FrameKind.CLOSE_WITH_CAUSE);
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(payload);
            String type = utf8(b, Short.toUnsignedInt(b.getShort()));
            String message = utf8(b, b.getInt());
            if (b.hasRemaining()) {
                throw new ChannelProtocolException("CLOSE_WITH_CAUSE has " + b.remaining() + " trailing bytes");
            }
            return new RemoteCause(type, message);
        } catch (RuntimeException e) {
            throw new ChannelProtocolException("malformed CLOSE_WITH_CAUSE payload", e);
        }
    }

    /**
     * What a close frame says: CLOSE carries nothing (its payload must be empty), CLOSE_WITH_CAUSE
     * the sender's cause.
     *
     * @return {@code null} for CLOSE, the cause of a CLOSE_WITH_CAUSE
     * @throws ChannelProtocolException for a CLOSE with a payload, or a malformed CLOSE_WITH_CAUSE
     */
    public RemoteCause closeCause() throws ChannelProtocolException {
        if (kind == FrameKind.CLOSE) {
            if (payload.length != 0) {
                throw new ChannelProtocolException("CLOSE frame with a " + payload.length + "-byte payload: CLOSE carries none");
            }
            return null;
        }
        return cause();
    }

    /**
     * @return the credits of a CREDIT frame (1 or more)
     * @throws ChannelProtocolException if malformed
     */
    public int credits() throws ChannelProtocolException {
        expect(FrameKind.CREDIT);
        if (payload.length != 4) {
            throw new ChannelProtocolException("CREDIT payload must be 4 bytes, was " + payload.length);
        }
        int n = ByteBuffer.wrap(payload).getInt();
        if (n <= 0) {
            throw new ChannelProtocolException("CREDIT must grant at least 1, granted " + n);
        }
        return n;
    }

    /**
     * @return the capacity a receiver announces in its first CREDIT frame (0 or more: 0 is a rendezvous)
     * @throws ChannelProtocolException if malformed
     */
    public int announcedCapacity() throws ChannelProtocolException {
        expect(FrameKind.CREDIT);
        if (payload.length != 4) {
            throw new ChannelProtocolException("CREDIT payload must be 4 bytes, was " + payload.length);
        }
        int n = ByteBuffer.wrap(payload).getInt();
        if (n < 0) {
            throw new ChannelProtocolException("announced capacity " + Integer.toUnsignedString(n) + " is above 2^31-1");
        }
        return n;
    }

    /**
     * Checks a HELLO against this side's codec: magic, version and codec id must match.
     *
     * @param codecId this side's codec
     * @return the peer's maximum frame size
     * @throws ChannelProtocolException on any mismatch, saying which
     */
    public int checkHello(String codecId) throws ChannelProtocolException {
        expect(FrameKind.HELLO);
        try {
            ByteBuffer b = ByteBuffer.wrap(payload);
            int magic = b.getInt();
            if (magic != MAGIC) {
                throw new ChannelProtocolException(String.format("not a Hoare peer: magic 0x%08x", magic));
            }
            int version = Short.toUnsignedInt(b.getShort());
            if (version != VERSION) {
                throw new ChannelProtocolException("protocol version mismatch: peer speaks " + version + ", we speak " + VERSION);
            }
            String peerCodec = utf8(b, Byte.toUnsignedInt(b.get()));
            if (!peerCodec.equals(codecId)) {
                throw new ChannelProtocolException("codec mismatch: peer uses '" + peerCodec + "', we use '" + codecId + "'");
            }
            int maxFrame = b.getInt();
            b.getInt(); // liveness: helloLiveness()
            return maxFrame;
        } catch (ChannelProtocolException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ChannelProtocolException("malformed HELLO payload", e);
        }
    }

    private void expect(FrameKind k) {
        if (kind != k) {
            throw new IllegalStateException("not a " + k + " frame: " + kind);
        }
    }

    private static String utf8(ByteBuffer b, int length) throws ChannelProtocolException {
        if (length < 0 || length > b.remaining()) {
            throw new ChannelProtocolException("string length " + length + " exceeds the payload");
        }
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * A close cause that came from the peer: its class name and message.
     */
    public static final class RemoteCause extends Exception {
        private static final long serialVersionUID = 1L;
        private final String remoteType;

        RemoteCause(String remoteType, String message) {
            super(remoteType + ": " + message);
            this.remoteType = remoteType;
        }

        /** @return the class name of the peer's exception */
        public String remoteType() {
            return remoteType;
        }

        /**
         * @return the peer's exception as the peer sent it, {@code remoteType: message}, without
         *     this class's own name (which is no one's business: "channel closed: " + cause read
         *     "dev.hoare.channels.wire.Frame$RemoteCause: java.lang.IllegalStateException: boom")
         */
        @Override
        public String toString() {
            return getMessage();
        }
    }
}
