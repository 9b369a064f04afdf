package dev.hoare.channels.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The limits a {@link KryoCodec} payload is read under, so that no length inside a payload makes
 * decode allocate more than a small multiple of the payload's own size. Kryo 5.6.2 trusts every
 * length it reads: a 20-byte payload claiming a string or list of 2^31-1 elements would have it
 * allocate gigabytes before finding out the bytes are not there.
 *
 * <p>Two rules, each checked before anything is allocated for the length it checks:
 * <ol>
 * <li><b>Leaves</b> (a string's characters, a primitive array's elements) take at least one byte
 * each, so a leaf may claim at most the bytes left in the payload ({@link LimitedInput}).</li>
 * <li><b>Containers</b> (collections, maps, object arrays) nest, each sized before its elements are
 * read, and may hold elements that take no bytes at all (the nulls of an all-null collection, empty
 * records). So the sizes of all containers in one payload are charged to one budget: the payload's
 * length plus {@link #ZERO_BYTE_ALLOWANCE}. Encoding charges the same sizes and refuses a value over
 * the budget, so what encode produces, decode accepts.</li>
 * </ol>
 * Only this file's serializers charge the budget; {@link KryoSetup} registers every container class
 * with one of them (see {@link #limited}).
 */
final class KryoLimits {
    /** Elements beyond one per payload byte that one payload's containers may hold in all. */
    static final int ZERO_BYTE_ALLOWANCE = 4096;

    private KryoLimits() {
    }

    /**
     * The serializer to register {@code type} with, given Kryo's default for it: Kryo's own, made to
     * charge the budget where {@code type} is a container.
     *
     * @throws IllegalArgumentException for a container whose Kryo serializer sizes it unchecked
     */
    static Serializer<?> limited(Class<?> type, Serializer<?> kryoDefault) {
        if (type.isArray()) {
            return new LimitedArraySerializer(kryoDefault);
        }
        if (kryoDefault.getClass() == CollectionSerializer.class) {
            return new LimitedCollectionSerializer(null);
        }
        if (kryoDefault.getClass() == MapSerializer.class) {
            return new LimitedMapSerializer(null);
        }
        if (kryoDefault instanceof CollectionSerializer || kryoDefault instanceof MapSerializer) {
            throw new IllegalArgumentException(type.getName() + " is written by Kryo's "
                    + kryoDefault.getClass().getSimpleName() + ", which sizes it from the payload unchecked;"
                    + " use ArrayList, HashMap, List.of, Set.of, Map.of or another collection Kryo writes with its"
                    + " plain CollectionSerializer or MapSerializer");
        }
        return kryoDefault;
    }

    /** Charges a container's size to the payload being read; refuses it when over budget. */
    static void charge(Input input, int size, String what) {
        if (input instanceof LimitedInput limited) {
            limited.charge(size, what);
        }
    }

    /** Charges a container's size to the payload being written (checked once it is complete). */
    static void charge(Output output, int size) {
        if (output instanceof CountingOutput counting) {
            counting.charged += size;
        }
    }

    /** An {@link Input} over exactly one payload that enforces both rules. */
    static final class LimitedInput extends Input {
        /** Container elements this payload may still claim; never below zero once checked. */
        private long budget;

        LimitedInput(byte[] payload) {
            super(payload);
            budget = (long) payload.length + ZERO_BYTE_ALLOWANCE;
        }

        void charge(int size, String what) {
            if (size < 0 || (budget -= size) < 0) {
                throw new KryoException(what + " of " + size + " elements is more than a " + limit
                        + "-byte payload holds");
            }
        }

        private int leaf(int length, String what) {
            if (length < 0 || length > limit - position) {
                throw new KryoException(what + " of " + length + " elements is more than the "
                        + (limit - position) + " bytes left in the payload");
            }
            return length;
        }

        @Override
        public String readString() {
            checkUtf8Length();
            return super.readString();
        }

        @Override
        public StringBuilder readStringBuilder() {
            checkUtf8Length();
            return super.readStringBuilder();
        }

        /** A UTF-8 string starts with its char count + 1 (0 null, 1 empty); an ASCII one has none. */
        private void checkUtf8Length() {
            if (!readVarIntFlag()) {
                return;
            }
            int start = position;
            int countPlusOne = readVarIntFlag(true);
            if (countPlusOne < 0 || countPlusOne > 1) {
                leaf(countPlusOne - 1, "string");
            }
            position = start;
        }

        @Override
        public byte[] readBytes(int length) {
            return super.readBytes(leaf(length, "byte array"));
        }

        @Override
        public int[] readInts(int length) {
            return super.readInts(leaf(length, "int array"));
        }

        @Override
        public int[] readInts(int length, boolean optimizePositive) {
            return super.readInts(leaf(length, "int array"), optimizePositive);
        }

        @Override
        public long[] readLongs(int length) {
            return super.readLongs(leaf(length, "long array"));
        }

        @Override
        public long[] readLongs(int length, boolean optimizePositive) {
            return super.readLongs(leaf(length, "long array"), optimizePositive);
        }

        @Override
        public float[] readFloats(int length) {
            return super.readFloats(leaf(length, "float array"));
        }

        @Override
        public double[] readDoubles(int length) {
            return super.readDoubles(leaf(length, "double array"));
        }

        @Override
        public short[] readShorts(int length) {
            return super.readShorts(leaf(length, "short array"));
        }

        @Override
        public char[] readChars(int length) {
            return super.readChars(leaf(length, "char array"));
        }

        @Override
        public boolean[] readBooleans(int length) {
            return super.readBooleans(leaf(length, "boolean array"));
        }
    }

    /** An {@link Output} that sums what containers charge, for encode to check against the budget. */
    static final class CountingOutput extends Output {
        private long charged;

        CountingOutput(int bufferSize) {
            super(bufferSize, -1);
        }

        /** @return whether decode will accept what was written, as far as the budget goes */
        boolean withinBudget() {
            return charged <= (long) position + ZERO_BYTE_ALLOWANCE;
        }
    }

    /**
     * Kryo's {@link CollectionSerializer}, the same bytes, with the size charged. With a
     * {@code rebuild} (for the classes of {@code List.of}, {@code Set.of}) the elements are read into
     * an {@code ArrayList} and rebuilt; without, Kryo creates the registered class itself.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class LimitedCollectionSerializer extends CollectionSerializer<Collection> {
        private final UnaryOperator<Collection<Object>> rebuild;

        LimitedCollectionSerializer(UnaryOperator<Collection<Object>> rebuild) {
            this.rebuild = rebuild;
        }

        @Override
        public void write(Kryo kryo, Output output, Collection collection) {
            if (collection != null) {
                charge(output, collection.size());
            }
            super.write(kryo, output, collection);
        }

        @Override
        protected Collection create(Kryo kryo, Input input, Class<? extends Collection> type, int size) {
            charge(input, size, "collection");
            return rebuild != null ? new ArrayList<>(size) : super.create(kryo, input, type, size);
        }

        @Override
        public Collection read(Kryo kryo, Input input, Class<? extends Collection> type) {
            Collection read = super.read(kryo, input, type);
            return read == null || rebuild == null ? read : rebuild.apply(read);
        }
    }

    /** Kryo's {@link MapSerializer}, the same bytes, with the size charged; see the collection one. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class LimitedMapSerializer extends MapSerializer<Map> {
        private final UnaryOperator<Map<Object, Object>> rebuild;

        LimitedMapSerializer(UnaryOperator<Map<Object, Object>> rebuild) {
            this.rebuild = rebuild;
        }

        @Override
        public void write(Kryo kryo, Output output, Map map) {
            if (map != null) {
                charge(output, map.size());
            }
            super.write(kryo, output, map);
        }

        @Override
        protected Map create(Kryo kryo, Input input, Class<? extends Map> type, int size) {
            charge(input, size, "map");
            return rebuild != null ? HashMap.newHashMap(size) : super.create(kryo, input, type, size);
        }

        @Override
        public Map read(Kryo kryo, Input input, Class<? extends Map> type) {
            Map read = super.read(kryo, input, type);
            return read == null || rebuild == null ? read : rebuild.apply(read);
        }
    }

    /**
     * Wraps Kryo's serializer of one array class, charging the length. Every Kryo array serializer
     * starts with the length + 1 (0 for null) as a varint, so the length is peeked, not parsed twice.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class LimitedArraySerializer extends Serializer<Object> {
        private final Serializer array;

        LimitedArraySerializer(Serializer<?> array) {
            super(array.getAcceptsNull(), array.isImmutable());
            this.array = array;
        }

        @Override
        public void write(Kryo kryo, Output output, Object value) {
            if (value != null) {
                charge(output, Array.getLength(value));
            }
            array.write(kryo, output, value);
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            int start = input.position();
            int lengthPlusOne = input.readVarInt(true);
            input.setPosition(start);
            if (lengthPlusOne != 0) {
                charge(input, lengthPlusOne - 1, "array");
            }
            return array.read(kryo, input, type);
        }

        @Override
        public Object copy(Kryo kryo, Object original) {
            return array.copy(kryo, original);
        }
    }
}
