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
    RELEASE(0x06);

    private static final FrameKind[] KINDS = values();
    private final int code;

    FrameKind(int code) {
        this.code = code;
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
