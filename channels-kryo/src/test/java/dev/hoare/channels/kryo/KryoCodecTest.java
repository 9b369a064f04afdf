package dev.hoare.channels.kryo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Util;
import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.wire.Frame;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KryoCodecTest {
    enum Status { NEW, PAID, SHIPPED }

    record Line(String sku, int qty, BigDecimal price) {
    }

    record Note(String text) {
    }

    record Order(long id, String customer, Line first, List<Line> lines, Set<Status> flags,
                 Map<String, Integer> stock, Instant at, Note note) {
    }

    /** Registered only by some codecs here: a payload naming it is foreign to {@link #ORDERS}. */
    record Extra(String what) {
    }

    sealed interface Shape permits Circle, Square {
    }

    record Circle(double radius) implements Shape {
    }

    record Square(double side) implements Shape {
    }

    /** Counts what {@link Evil} runs; reading it does not initialise Evil. */
    static final class Witness {
        static final AtomicInteger EVIL_INITIALISED = new AtomicInteger();
        static final AtomicInteger EVIL_CONSTRUCTED = new AtomicInteger();
    }

    /** Never registered, never referenced by class literal: only named in a hand-made payload. */
    static final class Evil {
        static {
            Witness.EVIL_INITIALISED.incrementAndGet();
        }

        Evil() {
            Witness.EVIL_CONSTRUCTED.incrementAndGet();
        }
    }

    // Created first, so Hoare's setup runs before any Kryo class initialises (see kryoRunsWithoutUnsafe).
    private static final Codec<Order> ORDERS = KryoCodec.of(Order.class);
    /** A Kryo numbered like {@link #ORDERS}, to look up class numbers for hand-made payloads. */
    private static final Kryo ORDERS_KRYO = new KryoSetup(Order.class, new Class<?>[0]).newKryo();

    private static Order fullOrder(long id) {
        return new Order(id, "Zoë Ångström ✓ 日本 🎉", new Line("sku-" + id, 3, new BigDecimal("19.99")),
                List.of(new Line("a", 1, BigDecimal.ONE), new Line("b", 2, BigDecimal.TEN), new Line("c", 3, BigDecimal.ZERO)),
                Set.of(Status.NEW, Status.PAID), Map.of("apples", 3, "pears", 0), Instant.ofEpochSecond(1_700_000_000L, id),
                new Note("leave at the door"));
    }

    private static <T> T roundTrip(Codec<T> codec, T value) throws ChannelProtocolException {
        return codec.decode(codec.encode(value));
    }

    private static int number(Class<?> c) {
        return ORDERS_KRYO.getRegistration(c).getId();
    }

    private static byte[] payload(Consumer<Output> writer) {
        Output out = new Output(64, -1);
        writer.accept(out);
        return out.toBytes();
    }

    private static void writeClass(Output out, int number) {
        out.writeVarInt(number + 2, true);
    }

    @Test
    void aRecordWithNestedRecordsImmutableCollectionsAndNonAsciiStringsRoundTrips() throws Exception {
        Order order = fullOrder(7);
        Order back = roundTrip(ORDERS, order);
        assertEquals(order, back);
        assertThrows(UnsupportedOperationException.class, () -> back.lines().add(null), "List.of stays immutable");
        assertThrows(UnsupportedOperationException.class, () -> back.flags().add(Status.SHIPPED), "Set.of stays immutable");
        assertThrows(UnsupportedOperationException.class, () -> back.stock().put("x", 1), "Map.of stays immutable");
        assertEquals("Zoë Ångström ✓ 日本 🎉", back.customer());
    }

    @Test
    void everySizeOfImmutableCollectionRoundTrips() throws Exception {
        for (int n = 0; n <= 3; n++) {
            List<Line> lines = Collections.nCopies(n, new Line("x", n, null)).stream().toList();
            Order order = new Order(n, null, null, lines.isEmpty() ? List.of() : lines.subList(0, n),
                    n == 0 ? Set.of() : n == 1 ? Set.of(Status.NEW) : Set.of(Status.NEW, Status.PAID),
                    n == 0 ? Map.of() : n == 1 ? Map.of("k", 1) : Map.of("k", 1, "l", 2), null, null);
            assertEquals(order, roundTrip(ORDERS, order), "size " + n);
        }
        Order sub = new Order(9, null, null, List.of(new Line("a", 1, null), new Line("b", 2, null), new Line("c", 3, null)).subList(1, 3),
                Set.of(), Map.of(), null, null);
        assertEquals(sub, roundTrip(ORDERS, sub), "List.of(...).subList(...)");
        List<Line> withNull = Stream.of(new Line("a", 1, null), null).toList();
        Order streamed = new Order(10, null, null, withNull, Set.of(), Map.of(), null, null);
        assertEquals(streamed, roundTrip(ORDERS, streamed), "Stream.toList() may hold nulls");
    }

    @Test
    void nullFieldsRoundTrip() throws Exception {
        Order order = new Order(1, null, null, null, null, null, null, null);
        assertEquals(order, roundTrip(ORDERS, order));
        Line line = new Line(null, 0, null);
        Order withNullsInside = new Order(2, "", line, List.of(line), Set.of(), Map.of(), null, new Note(null));
        assertEquals(withNullsInside, roundTrip(ORDERS, withNullsInside));
    }

    @Test
    void mutableCollectionsAndBoxedValuesKeepTheirClasses() throws Exception {
        record Basket(List<String> items, Map<String, Long> counts, Object anything) {
        }
        Codec<Basket> codec = KryoCodec.of(Basket.class);
        Basket basket = new Basket(new ArrayList<>(List.of("a", "b")), new HashMap<>(Map.of("a", 1L)), 42);
        Basket back = roundTrip(codec, basket);
        assertEquals(basket, back);
        assertInstanceOf(ArrayList.class, back.items());
        assertInstanceOf(HashMap.class, back.counts());
        assertInstanceOf(Integer.class, back.anything());
        @SuppressWarnings("rawtypes")
        Codec<ArrayList> lists = KryoCodec.of(ArrayList.class);
        ArrayList<String> sparse = new ArrayList<>(Arrays.asList(null, "x", null));
        assertEquals(sparse, roundTrip(lists, sparse));
    }

    @Test
    void aSealedInterfaceRegistersItsPermittedRecords() throws Exception {
        Codec<Shape> shapes = KryoCodec.of(Shape.class);
        assertEquals(new Circle(1.5), roundTrip(shapes, new Circle(1.5)));
        assertEquals(new Square(2), roundTrip(shapes, new Square(2)));
    }

    @Test
    void kryoRunsWithoutUnsafe() {
        assertFalse(Util.unsafe, "Kryo loaded sun.misc.Unsafe: JDK 24+ prints a warning for it");
        assertEquals("false", System.getProperty("kryo.unsafe"));
    }

    @Test
    void aClassNumberThisCodecDidNotRegisterIsRefused() throws Exception {
        Codec<Object> wider = KryoCodec.of(Object.class, Order.class, Extra.class);
        byte[] foreign = wider.encode(new Extra("registered by the writer only"));
        ChannelProtocolException e = assertThrows(ChannelProtocolException.class, () -> ORDERS.decode(foreign));
        assertTrue(e.getMessage().contains("not registered"), e.getMessage());
        byte[] handMade = payload(out -> writeClass(out, 10_000));
        e = assertThrows(ChannelProtocolException.class, () -> ORDERS.decode(handMade));
        assertTrue(e.getMessage().contains("class number 10000, which is not registered"), e.getMessage());
    }

    @Test
    void aClassNamedInThePayloadIsNeitherInitialisedNorInstantiated() throws Exception {
        String evil = KryoCodecTest.class.getName() + "$Evil";
        byte[] named = payload(out -> {
            out.writeVarInt(1, true); // a class name follows
            out.writeVarInt(0, true); // name number 0 in this graph
            out.writeString(evil);
        });
        ChannelProtocolException e = assertThrows(ChannelProtocolException.class, () -> ORDERS.decode(named));
        assertTrue(e.getMessage().contains("names a class by name"), e.getMessage());
        assertEquals(0, Witness.EVIL_INITIALISED.get(), "Evil's static initialiser ran");
        assertEquals(0, Witness.EVIL_CONSTRUCTED.get(), "Evil was constructed");

        // Control: the same bytes do make a Kryo without required registration build an Evil.
        Kryo permissive = new Kryo();
        permissive.setRegistrationRequired(false);
        Object built = permissive.readClassAndObject(new Input(named));
        assertEquals(evil, built.getClass().getName());
        assertEquals(1, Witness.EVIL_CONSTRUCTED.get());
    }

    @Test
    void aRegisteredValueOfAnotherTypeOrNullIsRefused() throws Exception {
        Codec<Object> peer = KryoCodec.of(Object.class, Order.class, Extra.class);
        Codec<Order> orders = KryoCodec.of(Order.class, Extra.class);
        assertEquals(peer.id(), orders.id(), "Object registers nothing of its own: the two number alike");
        byte[] extra = peer.encode(new Extra("x"));
        ChannelProtocolException e = assertThrows(ChannelProtocolException.class, () -> orders.decode(extra));
        assertTrue(e.getMessage().contains("not a " + Order.class.getName()), e.getMessage());
        e = assertThrows(ChannelProtocolException.class, () -> ORDERS.decode(new byte[] {0}));
        assertTrue(e.getMessage().contains("encodes null"), e.getMessage());
    }

    @Test
    void everyTruncationOfAValidPayloadIsRefused() throws Exception {
        byte[] whole = ORDERS.encode(fullOrder(3));
        for (int n = 0; n < whole.length; n++) {
            byte[] prefix = Arrays.copyOf(whole, n);
            assertThrows(ChannelProtocolException.class, () -> ORDERS.decode(prefix), "prefix of " + n + " bytes");
        }
    }

    @Test
    void trailingBytesAreRefused() throws Exception {
        byte[] whole = ORDERS.encode(fullOrder(4));
        byte[] longer = Arrays.copyOf(whole, whole.length + 1);
        ChannelProtocolException e = assertThrows(ChannelProtocolException.class, () -> ORDERS.decode(longer));
        assertTrue(e.getMessage().contains("1 bytes after its value"), e.getMessage());
    }

    @Test
    void garbageAndMutatedPayloadsAreRefusedWithAProtocolExceptionOnly() {
        Random random = new Random(42);
        byte[] valid = ORDERS.encode(fullOrder(5));
        int refused = 0;
        for (int i = 0; i < 6_000; i++) {
            byte[] bytes;
            if (i % 2 == 0) {
                bytes = new byte[random.nextInt(48)];
                random.nextBytes(bytes);
            } else {
                bytes = valid.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            try {
                ORDERS.decode(bytes); // a mutation may still be a valid Order
            } catch (ChannelProtocolException expected) {
                refused++;
            }
        }
        assertTrue(refused > 3_000, "most garbage is refused, " + refused);
    }

    @Test
    void hugeLengthsAreRefusedBeforeAllocating() throws Exception {
        for (int n : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 8, 50_000_000}) {
            assertRefusedCheaply(ORDERS, payload(out -> {
                writeClass(out, number(String.class));
                out.writeVarIntFlag(true, n + 1, true); // UTF-8 string of n chars
                out.writeString("abc");
            }), "string of " + n);
            assertRefusedCheaply(ORDERS, payload(out -> {
                writeClass(out, number(byte[].class));
                out.writeVarInt(n + 1, true);
                out.writeInt(0);
            }), "byte array of " + n);
            for (Class<?> list : List.of(ArrayList.class, List.of().getClass())) {
                assertRefusedCheaply(ORDERS, payload(out -> {
                    writeClass(out, number(list));
                    out.writeVarIntFlag(true, n + 1, true); // elements all of one class...
                    out.writeVarInt(0, true); // ...null: Kryo adds n nulls without reading a byte
                }), list.getSimpleName() + " of " + n);
            }
            assertRefusedCheaply(ORDERS, payload(out -> {
                writeClass(out, number(HashMap.class));
                out.writeVarInt(n + 1, true);
                out.writeInt(0);
            }), "map of " + n);
            Codec<Line[]> arrays = KryoCodec.of(Line[].class);
            Kryo arraysKryo = new KryoSetup(Line[].class, new Class<?>[0]).newKryo();
            assertRefusedCheaply(arrays, payload(out -> {
                writeClass(out, arraysKryo.getRegistration(Line[].class).getId());
                out.writeVarInt(n + 1, true);
                out.writeInt(0);
            }), "object array of " + n);
        }
    }

    /** Lists nested in lists, each claiming the whole payload: each would presize before reading on. */
    @Test
    void nestedContainersShareOneBudget() throws Exception {
        int claim = 1 << 20;
        byte[] nested = payload(out -> {
            for (int level = 0; level < 200; level++) {
                writeClass(out, number(ArrayList.class));
                out.writeVarIntFlag(false, claim + 1, true); // elements of mixed classes follow
            }
            out.writeBytes(new byte[claim]);
        });
        assertRefusedCheaply(ORDERS, nested, "200 nested lists of " + claim, 64L << 20);
    }

    @Test
    @SuppressWarnings({"rawtypes", "unchecked"})
    void zeroByteElementsUpToTheAllowanceRoundTripAndEncodeRefusesMore() throws Exception {
        Codec<ArrayList> lists = KryoCodec.of(ArrayList.class);
        ArrayList<Object> nulls = new ArrayList<>(Collections.nCopies(KryoLimits.ZERO_BYTE_ALLOWANCE, null));
        assertEquals(nulls, lists.decode(lists.encode(nulls)));
        nulls.addAll(Collections.nCopies(10_000, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lists.encode(nulls));
        assertTrue(e.getMessage().contains("take no bytes"), e.getMessage());
    }

    @Test
    void deepNestingIsRefusedOnBothSides() {
        Codec<Object> anything = KryoCodec.of(Object.class);
        byte[] deep = payload(out -> {
            for (int level = 0; level < 10_000; level++) {
                writeClass(out, number(List.of(1).getClass()));
                out.writeVarIntFlag(false, 2, true); // one element, of any class
            }
            writeClass(out, number(Integer.class));
            out.writeVarInt(1, false);
        });
        ChannelProtocolException e = assertThrows(ChannelProtocolException.class, () -> anything.decode(deep));
        assertTrue(e.getMessage().contains("Max depth"), e.getMessage());
        Object value = 1;
        for (int level = 0; level < KryoSetup.MAX_DEPTH + 10; level++) {
            value = List.of(value);
        }
        Object tooDeep = value;
        assertThrows(IllegalArgumentException.class, () -> anything.encode(tooDeep));
    }

    private static void assertRefusedCheaply(Codec<?> codec, byte[] payload, String what) {
        assertRefusedCheaply(codec, payload, what, 1L << 20);
    }

    /** The payload is refused, and decoding it allocated less than {@code most} bytes in all. */
    private static void assertRefusedCheaply(Codec<?> codec, byte[] payload, String what, long most) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ChannelProtocolException e = assertThrows(ChannelProtocolException.class, () -> codec.decode(payload), what);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < most, what + " (" + payload.length + "-byte payload) allocated " + allocated + " bytes");
        assertTrue(e.getMessage().contains("is more than"), what + ": " + e.getMessage());
    }

    @Test
    void eightThreadsShareOneCodec() throws Exception {
        int threads = 8;
        int rounds = 10_000;
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                long base = (long) t << 32;
                results.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                        int ok = 0;
                        for (int i = 0; i < rounds; i++) {
                            Order order = new Order(base + i, "thread " + base, new Line("s" + i, i, null),
                                    List.of(new Line("l" + i, i, BigDecimal.valueOf(i))), Set.of(Status.PAID),
                                    Map.of("k" + i, i), null, null);
                            if (order.equals(ORDERS.decode(ORDERS.encode(order)))) {
                                ok++;
                            }
                        }
                        return ok;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            start.countDown();
            for (CompletableFuture<Integer> r : results) {
                assertEquals(rounds, r.get(50, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void theIdNamesTheRegistrationsInOrderAndTheHandshakeComparesIt() throws Exception {
        String id = ORDERS.id();
        assertTrue(id.matches("kryo:[0-9a-f]{16}"), id);
        assertEquals(id, KryoCodec.of(Order.class).id(), "the same classes give the same id");
        assertEquals(id, KryoCodec.of(Order.class, Line.class, Status.class).id(), "Line and Status are found from Order");
        String withExtra = KryoCodec.of(Order.class, Extra.class).id();
        String extraFirst = KryoCodec.of(Extra.class, Order.class).id();
        assertNotEquals(id, withExtra);
        assertNotEquals(withExtra, extraFirst, "registration order changes the numbers, so the id");
        assertNotEquals(id, KryoCodec.of(Shape.class).id());
        assertTrue(id.getBytes(StandardCharsets.UTF_8).length <= 255);
        ChannelProtocolException e = assertThrows(ChannelProtocolException.class,
                () -> Frame.hello(withExtra, 1 << 20).checkHello(id));
        assertTrue(e.getMessage().contains("codec mismatch"), e.getMessage());
        assertEquals(1 << 20, Frame.hello(id, 1 << 20).checkHello(KryoCodec.of(Order.class).id()));
    }

    /**
     * The ids of codecs whose classes all have stable names, as channels-core computed them when
     * the codec was {@code Codec.kryo} in package {@code dev.hoare.channels}: the move to this
     * module keeps them, so a peer on either side of it passes the handshake.
     */
    @Test
    void theIdIsTheSameAsBeforeTheCodecMovedToItsOwnModule() {
        assertEquals("kryo:3735b40c279a3ff7", KryoCodec.of(String.class).id(), "the defaults, with List.of's serializer");
        assertEquals("kryo:16e659625c42e728", KryoCodec.of(int[].class).id(), "an array, with the array serializer");
        assertEquals("kryo:1f8c1f11561ce8e7", KryoCodec.of(long[][].class).id());
    }

    @Test
    void badArgumentsAreRefusedWithAClearMessage() {
        NullPointerException npe = assertThrows(NullPointerException.class, () -> KryoCodec.of(null));
        assertEquals("KryoCodec.of: type is null", npe.getMessage());
        npe = assertThrows(NullPointerException.class, () -> KryoCodec.of(Order.class, Extra.class, null));
        assertEquals("KryoCodec.of: more[1] is null", npe.getMessage());
        npe = assertThrows(NullPointerException.class, () -> KryoCodec.of(Order.class, (Class<?>[]) null));
        assertEquals("KryoCodec.of: the array of more classes is null", npe.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KryoCodec.of(Runnable.class));
        assertTrue(e.getMessage().contains("no registered class is a java.lang.Runnable"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KryoCodec.of(TreeMap.class));
        assertTrue(e.getMessage().contains("java.util.TreeMap") && e.getMessage().contains("unchecked"), e.getMessage());
    }

    @Test
    void encodingAnUnregisteredOrWrongValueIsRefusedWithAClearMessage() {
        record Holder(Object inside) {
        }
        Codec<Holder> holders = KryoCodec.of(Holder.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> holders.encode(new Holder(new Extra("not listed"))));
        assertTrue(e.getMessage().contains("Class is not registered") && e.getMessage().contains("Extra"), e.getMessage());
        @SuppressWarnings({"unchecked", "rawtypes"})
        Codec<Object> raw = (Codec) ORDERS;
        e = assertThrows(IllegalArgumentException.class, () -> raw.encode("a string"));
        assertTrue(e.getMessage().contains("not a " + Order.class.getName()), e.getMessage());
        assertThrows(NullPointerException.class, () -> ORDERS.encode(null));
    }

    @Test
    void boxedAndPrimitiveTypesShareKryosNumbers() throws Exception {
        assertEquals(7, roundTrip(KryoCodec.of(Integer.class), 7));
        assertEquals(7, roundTrip(KryoCodec.of(int.class), 7));
        assertArrayEquals(new byte[] {1, 2}, roundTrip(KryoCodec.of(byte[].class), new byte[] {1, 2}));
        assertEquals(KryoCodec.of(Integer.class).id(), KryoCodec.of(int.class).id());
    }
}
