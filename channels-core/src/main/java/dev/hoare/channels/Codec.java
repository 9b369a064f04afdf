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

    /**
     * Values as <a href="https://github.com/EsotericSoftware/kryo">Kryo</a> 5 bytes, for records and
     * other classes of your own. Registration is always required: a payload can name only a class
     * this codec registered, by its registration number, so a peer cannot make the receiver load or
     * instantiate any other class.
     *
     * <pre>{@code
     * record Line(String sku, int qty) {}
     * record Order(long id, List<Line> lines, Map<String, String> notes) {}
     *
     * Codec<Order> orders = Codec.kryo(Order.class);   // registers Order and Line
     * }</pre>
     *
     * <p>What is registered, in this order (Kryo numbers classes in registration order, so both ends
     * must list the same classes in the same order; {@link #id()} hashes the list and the handshake
     * refuses a peer whose list differs):
     * <ol>
     * <li>Kryo's own: the primitives and their boxes, {@code String};</li>
     * <li>Hoare's defaults: {@code byte[]}, {@code ArrayList}, {@code LinkedList}, {@code HashSet},
     * {@code LinkedHashSet}, {@code HashMap}, {@code LinkedHashMap}, {@code BigInteger},
     * {@code BigDecimal}, {@code Instant}, {@code Duration}, {@code LocalDate}, {@code LocalTime},
     * {@code LocalDateTime}, {@code UUID}, then the classes of {@code List.of}, {@code Set.of} and
     * {@code Map.of} (also what {@code List.copyOf} and {@code Stream.toList} return);</li>
     * <li>{@code type}, then each of {@code more}; after each, the records, enums and permitted
     * subclasses of sealed types that its record components name (their generic arguments and array
     * elements included), depth first. Other classes a value holds must be listed in {@code more}.</li>
     * </ol>
     *
     * <p>Decoding refuses, with a {@link ChannelProtocolException}: a class number nobody registered, a
     * class written by name, a payload that is truncated or has bytes left over, a value that is not a
     * {@code type}, and any length inside the payload that exceeds what the payload can hold, before
     * allocating for it. A collection class whose Kryo serializer cannot be held to that (such as
     * {@code TreeMap} or {@code PriorityQueue}) is refused here instead.
     *
     * <p>Setting up the codec sets the system property {@code kryo.unsafe} to {@code false} unless it
     * is already set, so that Kryo uses no {@code sun.misc.Unsafe} (which JDK 24+ warns about).
     *
     * @param type the class of the values (a record, an enum, a sealed interface of records, ...)
     * @param more further classes the values hold that are not found from {@code type}
     * @param <T> the value type
     * @return a thread-safe codec
     * @throws NullPointerException if {@code type}, {@code more} or an element of it is null
     * @throws IllegalArgumentException if no registered class is a {@code type}, or a class cannot be
     *     registered
     */
    static <T> Codec<T> kryo(Class<T> type, Class<?>... more) {
        return new KryoCodec<>(type, more);
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
