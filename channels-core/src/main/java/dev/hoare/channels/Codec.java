package dev.hoare.channels;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Turns values into the payload bytes of data frames and back. Both ends of a remote channel
 * must use the same codec: the handshake compares their {@link #id()}s. Implementations must be
 * thread-safe.
 *
 * <p>Built in: {@link #bytes()} and {@link #utf8()}. For records and other classes of your own, the
 * module {@code channels-kryo} has {@code dev.hoare.channels.kryo.KryoCodec.of(type, more...)}
 * (earlier snapshots had it here as {@code Codec.kryo(...)}; it moved so that channels-core needs no
 * Kryo, and an interface in core cannot name a class of a module that depends on core).
 *
 * @param <T> the value type
 */
public interface Codec<T> {

    /** @return a short name both ends compare at the handshake, such as {@code "utf8"} */
    String id();

    /**
     * @param value a non-null value
     * @return its bytes
     */
    byte[] encode(T value);

    /**
     * @param bytes a payload produced by {@link #encode} on the other end
     * @return the value
     * @throws ChannelProtocolException if the bytes are not a valid encoding
     */
    T decode(byte[] bytes) throws ChannelProtocolException;

    /** @return the identity codec for raw {@code byte[]} values (the array itself, not a copy) */
    static Codec<byte[]> bytes() {
        return BuiltInCodecs.BYTES;
    }

    /** @return UTF-8 strings; malformed input is refused, not replaced */
    static Codec<String> utf8() {
        return BuiltInCodecs.UTF8;
    }
}

/** The codecs that need no library. */
final class BuiltInCodecs {
    static final Codec<byte[]> BYTES = new Codec<>() {
        @Override
        public String id() {
            return "bytes";
        }

        @Override
        public byte[] encode(byte[] value) {
            return Objects.requireNonNull(value, "value");
        }

        @Override
        public byte[] decode(byte[] bytes) {
            return bytes;
        }
    };

    static final Codec<String> UTF8 = new Codec<>() {
        @Override
        public String id() {
            return "utf8";
        }

        @Override
        public byte[] encode(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] bytes) throws ChannelProtocolException {
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new ChannelProtocolException("payload is not valid UTF-8", e);
            }
        }
    };

    private BuiltInCodecs() {
    }
}
