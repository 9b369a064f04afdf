package dev.hoare.channels.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.util.Pool;
import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Values as <a href="https://github.com/EsotericSoftware/kryo">Kryo</a> 5 bytes, for records and
 * other classes of your own. Registration is always required: a payload can name only a class this
 * codec registered, by its registration number, so a peer cannot make the receiver load or
 * instantiate any other class. Make one with {@link #of}.
 *
 * <pre>{@code
 * record Line(String sku, int qty) {}
 * record Order(long id, List<Line> lines, Map<String, String> notes) {}
 *
 * Codec<Order> orders = KryoCodec.of(Order.class);   // registers Order and Line
 * }</pre>
 *
 * <p>This was {@code Codec.kryo(...)} in channels-core before Kryo moved to this module, so that
 * users of plain channels do not pull Kryo in; the bytes and the {@link #id()} on the wire are the
 * same, so a peer on either side of the move interoperates.
 *
 * <p>Implementation invariants:
 * <ul>
 * <li>Every Kryo this codec uses comes from the same {@link KryoSetup}, so class number N means the
 * same class in each; {@link #id} hashes that numbering, so two codecs with equal ids number alike.</li>
 * <li>A Kryo is used by one thread at a time: taken from {@link #pool}, given back after a call that
 * succeeded, dropped after one that failed (it may be left mid-graph).</li>
 * <li>decode reads only through a {@link KryoLimits.LimitedInput} over exactly the payload, so no length
 * inside it allocates more than the payload can hold, and a class is read only as a registered
 * number; the payload must be used up exactly, and the value must be a {@link #type}.</li>
 * </ul>
 *
 * @param <T> the value type
 */
public final class KryoCodec<T> implements Codec<T> {
    /** Encode buffers start this large and grow; a typical small record fits. */
    private static final int INITIAL_BUFFER = 256;

    private final Class<T> type;
    /** {@link #type}, boxed if primitive, for instance checks. */
    private final Class<?> boxed;
    private final String id;
    private final String description;
    /** Idle Kryos, each set up alike; a thread takes one for the length of one call. */
    private final Pool<Kryo> pool;

    /**
     * A codec of {@code type}'s values.
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
    public static <T> Codec<T> of(Class<T> type, Class<?>... more) {
        return new KryoCodec<>(type, more);
    }

    private KryoCodec(Class<T> type, Class<?>[] more) {
        KryoSetup setup = new KryoSetup(type, more);
        this.type = type;
        this.boxed = boxed(type);
        Kryo first = setup.newKryo();
        this.id = KryoSetup.id(first);
        this.description = "KryoCodec.of(" + setup.classes().stream().map(Class::getSimpleName)
                .collect(Collectors.joining(", ")) + ") " + id;
        if (registered(first).stream().map(KryoCodec::boxed).noneMatch(boxed::isAssignableFrom)) {
            throw new IllegalArgumentException("KryoCodec.of: no registered class is a " + type.getName()
                    + ", so no value could be sent; list the concrete classes of the values");
        }
        this.pool = new Pool<>(true, false, 4 * Runtime.getRuntime().availableProcessors()) {
            @Override
            protected Kryo create() {
                return setup.newKryo();
            }
        };
        pool.free(first);
    }

    private static List<Class<?>> registered(Kryo kryo) {
        return IntStream.range(0, kryo.getNextRegistrationId())
                .mapToObj(kryo::getRegistration).<Class<?>>map(Registration::getType).toList();
    }

    private static Class<?> boxed(Class<?> c) {
        return MethodType.methodType(c).wrap().returnType();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public byte[] encode(T value) {
        Objects.requireNonNull(value, "value");
        if (!boxed.isInstance(value)) {
            throw new IllegalArgumentException(description + " cannot encode a " + value.getClass().getName()
                    + ": not a " + type.getName());
        }
        Kryo kryo = pool.obtain();
        KryoLimits.CountingOutput out = new KryoLimits.CountingOutput(INITIAL_BUFFER);
        try {
            kryo.writeClassAndObject(out, value);
        } catch (RuntimeException e) { // an unregistered class inside the value, too deep, a failing getter
            throw new IllegalArgumentException(description + " cannot encode a " + value.getClass().getName()
                    + ": " + oneLine(e), e);
        }
        pool.free(kryo);
        if (!out.withinBudget()) {
            throw new IllegalArgumentException(description + " cannot encode a " + value.getClass().getName()
                    + ": its collections hold more elements that take no bytes (nulls, empty records) than "
                    + KryoLimits.ZERO_BYTE_ALLOWANCE + ", which the decoder would refuse");
        }
        return out.toBytes();
    }

    @Override
    public T decode(byte[] bytes) throws ChannelProtocolException {
        Kryo kryo = pool.obtain();
        KryoLimits.LimitedInput in = new KryoLimits.LimitedInput(bytes);
        Object value;
        try {
            value = kryo.readClassAndObject(in);
        } catch (RuntimeException | StackOverflowError e) {
            // KryoException (underflow, unregistered number, a limit), and what Kryo lets escape from
            // bad bytes: IndexOutOfBounds, NegativeArraySize, IllegalArgument, NullPointer, ClassCast...
            // StackOverflowError only if the caller's stack is nearly full: the depth is capped.
            throw new ChannelProtocolException("kryo payload of " + bytes.length + " bytes refused by "
                    + description + ": " + oneLine(e), e);
        }
        pool.free(kryo);
        if (in.position() != bytes.length) {
            throw new ChannelProtocolException("kryo payload of " + bytes.length + " bytes has "
                    + (bytes.length - in.position()) + " bytes after its value (" + description + ")");
        }
        if (value == null) {
            throw new ChannelProtocolException("kryo payload encodes null; channel values are never null");
        }
        if (!boxed.isInstance(value)) {
            throw new ChannelProtocolException("kryo payload holds a " + value.getClass().getName()
                    + ", not a " + type.getName() + " (" + description + ")");
        }
        @SuppressWarnings("unchecked")
        T t = (T) value;
        return t;
    }

    /** Kryo's messages carry a multi-line serialization trace; keep it, on one line. */
    private static String oneLine(Throwable e) {
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
        return message.strip().replace("\n", "; ");
    }

    @Override
    public String toString() {
        return description;
    }
}
