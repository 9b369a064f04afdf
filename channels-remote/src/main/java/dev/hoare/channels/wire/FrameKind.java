package dev.hoare.channels.wire;

import dev.hoare.channels.ChannelProtocolException;

/** The kind byte of a frame; docs/wire-format.md describes each payload. */
public enum FrameKind {
    /** First frame each way: magic, protocol version, codec id, maximum frame size. */
    HELLO(0x01),
    /** One value: the codec's bytes. */
    DATA(0x02),
    /** The sender closed the channel; no payload. */
    CLOSE(0x03),
    /** The sender closed the channel with a cause: class name and message. */
    CLOSE_WITH_CAUSE(0x04),
    /** Flow control: the receiver grants the sender this many more values (u32). */
    CREDIT(0x05),
    /**
     * The receiver released its end (no more values wanted): empty, or a cause laid out as in
     * CLOSE_WITH_CAUSE. Travels receiver to sender, so on a connection that carries a channel
     * each way it is never confused with the other channel's CLOSE.
     */
    RELEASE(0x06),
    /**
     * Liveness, on stream 0 (the connection): 8 bytes the peer sends back in a PONG. A side sends
     * one whenever it has sent nothing for a while (docs/wire-format.md, Liveness).
     */
    PING(0x07),
    /** The answer to a PING on a two-way link, on stream 0: the PING's 8 bytes. */
    PONG(0x08);

    private static final FrameKind[] KINDS = values();
    private final int code;

    FrameKind(int code) {
        this.code = code;
    }

    /** @return whether frames of this kind belong to the connection (stream 0), not to a channel */
    public boolean connectionLevel() {
        return this == PING || this == PONG;
    }

    /** @return the byte on the wire */
    public int code() {
        return code;
    }

    /**
     * @param code a kind byte read from the wire (0-255)
     * @return the kind
     * @throws ChannelProtocolException for a byte that names no kind
     */
    public static FrameKind of(int code) throws ChannelProtocolException {
        for (FrameKind k : KINDS) {
            if (k.code == code) {
                return k;
            }
        }
        throw new ChannelProtocolException(String.format("unknown frame kind 0x%02x", code));
    }
}
