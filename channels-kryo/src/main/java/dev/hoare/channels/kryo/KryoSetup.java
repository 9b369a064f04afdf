package dev.hoare.channels.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * What every {@link Kryo} of one {@link KryoCodec} registers, in which order, and the id that names
 * that order.
 *
 * <p>Kryo writes a class as its registration number, given in registration order, so two ends agree
 * on what number N means only if they registered the same classes in the same order. The order:
 * Kryo's own (0–8: the primitives, whose boxes share their numbers, and {@code String}); then
 * {@link #DEFAULTS}, {@code UUID} and the JDK's immutable collection classes; then the user's classes
 * in the order given, each followed depth first by what {@link #collect} finds from it. {@link #id}
 * hashes the resulting list.
 *
 * <p>Every Kryo made here: requires registration; refuses a class written by name before loading it
 * ({@link RegisteredOnlyResolver}); keeps no references (values are trees, as on any channel); stops
 * at {@link #MAX_DEPTH} nested objects; registers each container through {@link KryoLimits#limited}.
 */
final class KryoSetup {
    static {
        // Before any Kryo class initialises (every Kryo is made here): Kryo's Util reads this once and
        // without it loads sun.misc.Unsafe, which JDK 24+ warns about. Kryo then uses plain reflection.
        if (System.getProperty("kryo.unsafe") == null) {
            System.setProperty("kryo.unsafe", "false");
        }
    }

    /** Objects nested inside one another that one value may hold (Kryo's guard against deep payloads). */
    static final int MAX_DEPTH = 256;

    /** Bumped whenever this file changes what is registered or how, so that old and new ids differ. */
    private static final String LAYOUT = "hoare-kryo-1";
    /** Where Hoare's serializers lived when {@link #LAYOUT} was defined; see {@link #layoutName}. */
    private static final String LAYOUT_PACKAGE = "dev.hoare.channels.";

    /** Hoare's default registrations after Kryo's own, in registration order. */
    private static final List<Class<?>> DEFAULTS = List.of(
            byte[].class,
            ArrayList.class, LinkedList.class, HashSet.class, LinkedHashSet.class,
            HashMap.class, LinkedHashMap.class,
            BigInteger.class, BigDecimal.class,
            Instant.class, Duration.class, LocalDate.class, LocalTime.class, LocalDateTime.class);

    /** The JDK's immutable collection classes, registered after {@link #DEFAULTS} and UUID: ListN, List12, SubList. */
    private static final List<Class<?>> IMMUTABLE_LISTS = List.of(
            List.of().getClass(), List.of(1).getClass(), List.of(1, 2, 3).subList(0, 2).getClass());
    /** SetN, Set12. */
    private static final List<Class<?>> IMMUTABLE_SETS = List.of(Set.of().getClass(), Set.of(1).getClass());
    /** MapN, Map1. */
    private static final List<Class<?>> IMMUTABLE_MAPS = List.of(Map.of().getClass(), Map.of(1, 1).getClass());

    private final List<Class<?>> classes;

    /**
     * @param type the value type, first of the user's classes
     * @param more the other classes the user listed
     */
    KryoSetup(Class<?> type, Class<?>[] more) {
        Objects.requireNonNull(type, "KryoCodec.of: type is null");
        Objects.requireNonNull(more, "KryoCodec.of: the array of more classes is null");
        Set<Class<?>> found = new LinkedHashSet<>();
        collect(type, found, true);
        for (int i = 0; i < more.length; i++) {
            collect(Objects.requireNonNull(more[i], "KryoCodec.of: more[" + i + "] is null"), found, true);
        }
        classes = List.copyOf(found);
    }

    /**
     * Adds {@code t}'s classes to {@code found}, depth first: a record and its components' types; an
     * enum; a sealed type's permitted subclasses (and the type itself if it is concrete); the element
     * types of arrays and the arguments of generic types. Other classes only when {@code listed} by
     * the user (and concrete): a record's component of type {@code Object} does not register {@code Object}.
     */
    private static void collect(Type t, Set<Class<?>> found, boolean listed) {
        switch (t) {
            case Class<?> c when c.isPrimitive() || c == Object.class || found.contains(c) -> {
            }
            case Class<?> c when c.isArray() -> {
                collect(c.getComponentType(), found, false);
                found.add(c);
            }
            case Class<?> c when c.isRecord() -> {
                found.add(c);
                for (RecordComponent rc : c.getRecordComponents()) {
                    collect(rc.getGenericType(), found, false);
                }
            }
            case Class<?> c when c.isEnum() -> found.add(c);
            case Class<?> c when c.isSealed() -> {
                if (concrete(c)) {
                    found.add(c);
                }
                for (Class<?> sub : c.getPermittedSubclasses()) {
                    collect(sub, found, true);
                }
            }
            case Class<?> c -> {
                if (listed && concrete(c)) {
                    found.add(c);
                }
            }
            case ParameterizedType p -> {
                collect(p.getRawType(), found, false);
                for (Type argument : p.getActualTypeArguments()) {
                    collect(argument, found, false);
                }
            }
            case WildcardType w -> {
                for (Type bound : w.getUpperBounds()) {
                    collect(bound, found, false);
                }
            }
            case GenericArrayType g -> collect(g.getGenericComponentType(), found, false);
            default -> {
                // a type variable: erased at run time, so its classes must be listed
            }
        }
    }

    private static boolean concrete(Class<?> c) {
        return !c.isInterface() && !Modifier.isAbstract(c.getModifiers());
    }

    /**
     * @return a Kryo with every registration, in order
     * @throws IllegalArgumentException if a class cannot be registered
     */
    Kryo newKryo() {
        Kryo kryo = new Kryo(new RegisteredOnlyResolver(), null);
        kryo.setRegistrationRequired(true);
        kryo.setMaxDepth(MAX_DEPTH);
        DEFAULTS.forEach(c -> register(kryo, c));
        register(kryo, UUID.class, new DefaultSerializers.UUIDSerializer()); // Kryo has no default for it
        // Stream.toList() returns a ListN that may hold nulls; List.of would refuse them
        var list = new KryoLimits.LimitedCollectionSerializer(
                c -> c.contains(null) ? Collections.unmodifiableList(new ArrayList<>(c)) : List.of(c.toArray()));
        var set = new KryoLimits.LimitedCollectionSerializer(c -> Set.of(c.toArray()));
        var map = new KryoLimits.LimitedMapSerializer(Map::copyOf);
        IMMUTABLE_LISTS.forEach(c -> register(kryo, c, list));
        IMMUTABLE_SETS.forEach(c -> register(kryo, c, set));
        IMMUTABLE_MAPS.forEach(c -> register(kryo, c, map));
        classes.forEach(c -> register(kryo, c));
        return kryo;
    }

    private static void register(Kryo kryo, Class<?> c) {
        if (kryo.getClassResolver().getRegistration(c) == null) {
            try {
                register(kryo, c, KryoLimits.limited(c, kryo.getDefaultSerializer(c)));
            } catch (RuntimeException e) { // Kryo cannot serialize it (e.g. a JDK class it cannot reflect on)
                throw new IllegalArgumentException("KryoCodec.of cannot register " + c.getName() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Registers {@code c} with {@code serializer}, keeping its number if it already has one. */
    private static void register(Kryo kryo, Class<?> c, com.esotericsoftware.kryo.Serializer<?> serializer) {
        Registration existing = kryo.getClassResolver().getRegistration(c);
        if (existing != null) {
            existing.setSerializer(serializer);
        } else {
            kryo.register(c, serializer);
        }
    }

    /**
     * @param kryo a Kryo from {@link #newKryo}
     * @return "kryo:" and 16 hex digits of a SHA-256 of every registration in number order: class,
     *     serializer (Hoare's own by their names in layout hoare-kryo-1, {@link #layoutName}), and for
     *     records their components (name and generic type, in Kryo's order, by
     *     name), for enums their constants (Kryo writes ordinals)
     */
    static String id(Kryo kryo) {
        StringBuilder layout = new StringBuilder(LAYOUT);
        for (int n = 0; n < kryo.getNextRegistrationId(); n++) {
            Registration r = kryo.getRegistration(n);
            Class<?> c = r.getType();
            layout.append('\n').append(n).append(' ').append(c.getName())
                    .append(' ').append(layoutName(r.getSerializer().getClass()));
            if (c.isRecord()) {
                Arrays.stream(c.getRecordComponents())
                        .sorted(Comparator.comparing(RecordComponent::getName))
                        .forEach(rc -> layout.append(' ').append(rc.getName())
                                .append(':').append(rc.getGenericType().getTypeName()));
            }
            if (c.isEnum()) {
                for (Object constant : c.getEnumConstants()) {
                    layout.append(' ').append(((Enum<?>) constant).name());
                }
            }
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(layout.toString().getBytes(StandardCharsets.UTF_8));
            return "kryo:" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /**
     * The name of a serializer class in the id's layout. Hoare's own serializers (the nested classes
     * of {@link KryoLimits}) are named as they were when layout {@value #LAYOUT} was defined, in
     * package {@code dev.hoare.channels} of channels-core: moving them to this module must not change
     * an id, or peers on either side of the move would refuse each other at the handshake. Kryo's
     * serializers keep their own names.
     */
    private static String layoutName(Class<?> serializer) {
        return serializer.getEnclosingClass() == KryoLimits.class
                ? LAYOUT_PACKAGE + "KryoLimits$" + serializer.getSimpleName()
                : serializer.getName();
    }

    /** @return the user's classes and what was found from them, in registration order */
    List<Class<?>> classes() {
        return classes;
    }

    /**
     * Reads a class only as a registered number. Kryo's own resolver, given a class name, loads it
     * ({@code Class.forName}) before finding it is not registered; this one refuses the name unread.
     */
    static final class RegisteredOnlyResolver extends DefaultClassResolver {
        @Override
        public Registration readClass(Input input) {
            int start = input.position();
            int numberPlusTwo = input.readVarInt(true); // 0 null, 1 a class name follows, n + 2 number n
            if (numberPlusTwo == NAME + 2) {
                throw new KryoException("payload names a class by name; only registered class numbers are accepted");
            }
            if (numberPlusTwo != Kryo.NULL && getRegistration(numberPlusTwo - 2) == null) {
                throw new KryoException("payload names class number " + (numberPlusTwo - 2)
                        + ", which is not registered (this codec registers 0 to " + (kryo.getNextRegistrationId() - 1) + ")");
            }
            input.setPosition(start);
            return super.readClass(input);
        }
    }
}
