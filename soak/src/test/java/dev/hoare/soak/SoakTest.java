package dev.hoare.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hoare.channels.contract.ChildJvm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fault injection across processes: for each transport, two producer processes and one consumer
 * process ({@link SoakChild}) stream numbered messages through one channel while this harness
 * SIGKILLs a random one of the three at random moments and starts it again. Then it lets them
 * finish in peace and checks, from the processes' logs:
 *
 * <ul>
 *   <li>no process ever hung (each one's watchdog halts it with {@code HUNG} when its main loop
 *       makes no progress for 20 s — every blocking call must return or throw in time), and each
 *       ends by itself at the end;
 *   <li>exactly once, in order: every producer incarnation's numbers arrive strictly increasing
 *       (no duplicate, no reordering), across every consumer incarnation;
 *   <li>nothing acknowledged is lost: over {@code uds:} and {@code aeron:} (capacity 0, so a
 *       returned {@code send} means the consumer's application took the value) every acknowledged
 *       value is in the consumer's log — but for the one value a killed consumer's last receive
 *       may have returned before it could write it down: the value right after one that consumer
 *       logged, at most one per consumer, and only if its log ends inside a receive; on every
 *       transport, the last {@value SoakChild#FINAL_MESSAGES} values of each producer, sent after
 *       the chaos, all arrive;
 *   <li>leftover files: only the channel's own file remains in its directory (what killed
 *       processes left was cleaned by the next open); over {@code aeron:} no process's media
 *       driver directory is left (a killed one's is removed by the next driver to start);
 *   <li>file descriptors and heap of long-lived processes stay flat across their peers' deaths.
 * </ul>
 *
 * <p>Kills per transport: {@code -Dsoak.kills=N} (4 by default, as CI runs it: 16 over the four
 * transports, in the time 15 took over three; docs/reliability.md has the long run), random seed
 * {@code -Dsoak.seed=S}, transports {@code -Dsoak.transports=uds,shm}. Logs are kept in
 * {@code target/soak/}.
 */
class SoakTest {
    private static final int KILLS = Integer.getInteger("soak.kills", 4);
    private static final long SEED = Long.getLong("soak.seed", System.nanoTime());
    private static final List<String> JVM = List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    /** How much the open descriptors of a long-lived process may grow across its peers' deaths. */
    private static final int FD_SLACK = 8;
    /**
     * The same over {@code aeron:}: a dead peer's image and the reply publication to it keep about
     * three descriptors (log buffers mapped by the driver and the client) for Aeron's linger times
     * after the peer's liveness ran out, 6-10 s in all; at the soak's pace (a peer killed every
     * 0.3-1.5 s) a process holds several dead peers' at once. Measured: a consumer whose producer
     * was killed every 2 s rose from 46 to a plateau of 54-57 and came back to 46 within 10 s of
     * the last kill.
     */
    private static final int AERON_FD_SLACK = 24;
    /** How much its heap after a GC may grow. */
    private static final long HEAP_SLACK = 24L << 20;

    /** The transports to soak: {@code -Dsoak.transports=uds,shm}; all four by default. */
    static List<String> transports() {
        return List.of(System.getProperty("soak.transports", "fifo,uds,shm,aeron").split(","));
    }

    @ParameterizedTest
    @MethodSource("transports")
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void survivesRandomKills(String transport) throws Exception {
        Random random = new Random(SEED ^ transport.hashCode());
        Path base = transport.equals("shm") && Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = Files.createTempDirectory(base, "hoare-soak-");
        Path logs = Files.createDirectories(Path.of("target", "soak", transport + "-" + System.currentTimeMillis()));
        Path stop = logs.resolve("stop");
        Path consumerLog = logs.resolve("consumer.log");
        String consumerUri;
        String producerUri;
        switch (transport) {
            case "fifo" -> {
                consumerUri = "fifo:" + dir.resolve("soak.fifo") + "?timeout=5s";
                producerUri = consumerUri;
            }
            case "uds" -> {
                consumerUri = "uds:" + dir.resolve("soak.sock") + "?listen=true&capacity=0&timeout=5s";
                producerUri = "uds:" + dir.resolve("soak.sock") + "?timeout=5s";
            }
            case "shm" -> {
                consumerUri = "shm:" + dir.resolve("soak.ring") + "?capacityBytes=65536&timeout=5s";
                producerUri = consumerUri;
            }
            case "aeron" -> {
                // every incarnation of the consumer binds the same loopback port (free now); each process
                // embeds its own media driver, as separate hosts would
                String channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort() + "&stream=10&liveness=2s&timeout=5s";
                consumerUri = channel + "&capacity=0";
                producerUri = channel;
            }
            default -> throw new IllegalArgumentException(transport);
        }
        System.out.println("soak " + transport + ": seed " + SEED + ", " + KILLS + " kills, logs in " + logs.toAbsolutePath());

        List<Role> roles = List.of(
                new Role("consumer", logs.resolve("consumer.out"), () -> ChildJvm.start(SoakChild.class, JVM, "consumer", consumerUri, consumerLog.toString(), stop.toString(),
                        rendezvous(transport) ? "mark" : "-")),
                new Role("p1", logs.resolve("p1.out"), () -> ChildJvm.start(SoakChild.class, JVM, "producer", producerUri, "p1", logs.resolve("p1.log").toString(), stop.toString())),
                new Role("p2", logs.resolve("p2.out"), () -> ChildJvm.start(SoakChild.class, JVM, "producer", producerUri, "p2", logs.resolve("p2.log").toString(), stop.toString())));
        try {
            for (Role r : roles) {
                r.start();
            }
            for (Role r : roles) {
                r.awaitLine("OPEN", 60_000);
            }
            int consumerKills = 0;
            for (int k = 0; k < KILLS; k++) {
                Thread.sleep(300 + random.nextInt(1_200)); // the chaos schedule, not a wait for a condition
                Role victim = roles.get(random.nextInt(roles.size()));
                for (Role r : roles) {
                    if (r != victim) {
                        r.sample();
                    }
                }
                victim.kill();
                if (victim.name.equals("consumer")) {
                    consumerKills++;
                }
                victim.start();
            }
            // peace: everyone (re)opened, and the consumer has heard from both current producers
            for (Role r : roles) {
                r.awaitLine("OPEN", 60_000);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            LogTail tail = new LogTail(consumerLog);
            while (!tail.heardFrom(roles.get(1).pid()) || !tail.heardFrom(roles.get(2).pid())) {
                assertTrue(System.nanoTime() < deadline, "the consumer never heard from both producers after the kills");
                Thread.sleep(20);
            }
            Files.createFile(stop);
            for (Role r : roles.subList(1, 3)) {
                assertEquals(0, r.child.exitCode(), r.name + " did not end cleanly: " + r.tail());
            }
            assertEquals(0, roles.get(0).child.exitCode(), "the consumer did not end cleanly: " + roles.get(0).tail());
            for (Role r : roles) {
                r.sample();
                r.checkNotHung();
                r.done();
            }

            Report report = check(transport, roles, consumerLog, logs);
            List<String> left;
            try (Stream<Path> files = Files.list(dir)) {
                left = files.map(p -> p.getFileName().toString()).sorted().toList();
            }
            assertTrue(left.stream().allMatch(n -> n.startsWith("soak.")), "files left in " + dir + ": " + left);
            if (transport.equals("aeron")) {
                List<Path> drivers = new ArrayList<>();
                for (Role r : roles) {
                    for (long pid : r.pids) {
                        Path d = aeronDriverDirectory(pid);
                        if (Files.exists(d)) {
                            drivers.add(d);
                        }
                    }
                }
                assertEquals(List.of(), drivers, "media driver directories left by the soak's processes (killed ones"
                        + " are removed by the next embedded driver to start, the others at exit)");
            }
            String summary = "soak " + transport + ": " + KILLS + " kills (" + consumerKills + " of the consumer), "
                    + roles.stream().mapToInt(r -> r.incarnations).sum() + " processes, " + report
                    + ", files left: " + left + (transport.equals("aeron") ? " and no media driver directory" : "") + ", seed " + SEED;
            System.out.println(summary);
            Files.writeString(logs.resolve("summary.txt"), summary + "\n");
        } finally {
            for (Role r : roles) {
                r.close();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** @return whether the soak's channel on {@code transport} is a rendezvous (capacity 0): a returned send was taken */
    private static boolean rendezvous(String transport) {
        return transport.equals("uds") || transport.equals("aeron");
    }

    /** @return a loopback UDP port free now (bound and closed at once) */
    private static int freeUdpPort() throws IOException {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** Where transport-aeron's embedded media driver of process {@code pid} lives (AeronDrivers). */
    private static Path aeronDriverDirectory(long pid) {
        Path shm = Path.of("/dev/shm");
        Path root = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        return root.resolve("hoare-aeron-" + System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_"))
                .resolve(Long.toString(pid));
    }

    /** The producer pids in the consumer's log, read incrementally (the log grows to ~100 MB). */
    private static final class LogTail {
        private final Path log;
        private final Set<String> pids = new HashSet<>();
        private long offset;

        LogTail(Path log) {
            this.log = log;
        }

        boolean heardFrom(long producerPid) throws IOException {
            if (Files.exists(log)) {
                try (FileChannel in = FileChannel.open(log)) {
                    // what was appended since the last look, up to its last whole line
                    ByteBuffer b = ByteBuffer.allocate((int) Math.min(in.size() - offset, 64 << 20));
                    in.read(b, offset);
                    int end = b.position();
                    while (end > 0 && b.get(end - 1) != '\n') {
                        end--;
                    }
                    for (String line : new String(b.array(), 0, end, StandardCharsets.UTF_8).split("\n")) {
                        String[] f = line.split(" ");
                        if (f.length == 4) {
                            pids.add(f[2]);
                        }
                    }
                    offset += end;
                }
            }
            return pids.contains(Long.toString(producerPid));
        }
    }

    record Report(long delivered, long acknowledged, long finals, int lostAcknowledged, String resources) {
        @Override
        public String toString() {
            return delivered + " messages delivered and checked (exactly once, in order), " + acknowledged
                    + " acknowledged (" + lostAcknowledged + " of them not written down by a consumer killed in the receive that returned it), "
                    + finals + " final ones all delivered; " + resources;
        }
    }

    private static Report check(String transport, List<Role> roles, Path consumerLog, Path logs) throws IOException {
        // what the consumer logged: per producer incarnation ("p1 1234"), the numbers in order
        Map<String, List<Long>> got = new HashMap<>();
        long delivered = 0;
        // consumer incarnations whose log ends inside a receive ("PID R" last): each may have died
        // holding one value it had received (and so acknowledged) but not written down
        Map<String, Boolean> diedInReceive = new HashMap<>();
        Map<String, String> loggedBy = new HashMap<>(); // uds: "p1 PID SEQ" -> the consumer's pid
        List<String> consumers = new ArrayList<>(); // consumer pids in the order they logged
        for (String line : Files.readAllLines(consumerLog)) {
            String[] f = line.split(" ");
            boolean receiving = f.length == 2 && f[1].equals("R");
            if (!receiving && f.length != 4) {
                fail("malformed consumer log line: " + line);
            }
            if (diedInReceive.put(f[0], receiving) == null) {
                consumers.add(f[0]);
            }
            if (receiving) {
                continue;
            }
            got.computeIfAbsent(f[1] + " " + f[2], k -> new ArrayList<>()).add(Long.parseLong(f[3]));
            if (rendezvous(transport)) {
                loggedBy.put(f[1] + " " + f[2] + " " + f[3], f[0]);
            }
            delivered++;
        }
        diedInReceive.put(Long.toString(roles.get(0).pid()), false); // the last consumer was not killed
        Map<String, TreeSet<Long>> sets = new HashMap<>();
        for (var e : got.entrySet()) {
            List<Long> seqs = e.getValue();
            for (int i = 1; i < seqs.size(); i++) {
                if (seqs.get(i) <= seqs.get(i - 1)) {
                    fail(e.getKey() + ": " + seqs.get(i) + " arrived after " + seqs.get(i - 1) + " (duplicate or out of order)");
                }
            }
            sets.put(e.getKey(), new TreeSet<>(seqs));
        }
        // acknowledged: per connection, OPEN seq .. the last ACKED of it (uds with capacity 0)
        long acknowledged = 0;
        int lostAcknowledged = 0;
        Set<String> lostTo = new HashSet<>();
        long finals = 0;
        for (Role producer : roles.subList(1, 3)) {
            Map<String, Long> opened = new HashMap<>();
            for (String line : Files.readAllLines(logs.resolve(producer.name + ".log"))) {
                String[] f = line.split(" ");
                if (f.length != 3) {
                    continue; // the last line of a killed producer may be cut short
                }
                String key = producer.name + " " + f[1];
                long seq = Long.parseLong(f[2]);
                switch (f[0]) {
                    case "OPEN" -> opened.put(key, seq);
                    case "ACKED" -> {
                        if (rendezvous(transport) && opened.containsKey(key)) {
                            long from = opened.get(key);
                            TreeSet<Long> have = sets.getOrDefault(key, new TreeSet<>());
                            for (long s = from; s <= seq; s++) {
                                acknowledged++;
                                if (!have.contains(s)) {
                                    // only as the value a killed consumer's last receive returned: one
                                    // that ran between the loggers of its neighbours, died inside a
                                    // receive, and has no other such value
                                    Long before = have.lower(s);
                                    Long after = have.higher(s);
                                    int first = before == null ? 0 : consumers.indexOf(loggedBy.get(key + " " + before));
                                    int to = after == null ? consumers.size() : consumers.indexOf(loggedBy.get(key + " " + after));
                                    String holder = consumers.subList(first, Math.max(first, to)).stream()
                                            .filter(c -> diedInReceive.get(c) && !lostTo.contains(c)).findFirst().orElse(null);
                                    assertTrue(holder != null, key + ": acknowledged value " + s + " never arrived");
                                    lostTo.add(holder);
                                    lostAcknowledged++;
                                }
                            }
                            opened.put(key, seq + 1);
                        }
                    }
                    case "END" -> {
                        long finalFrom = Long.parseLong(producer.lastLine("FINAL from=").substring("FINAL from=".length()));
                        TreeSet<Long> have = sets.getOrDefault(key, new TreeSet<>());
                        for (long s = finalFrom; s <= seq; s++) {
                            finals++;
                            if (!have.contains(s)) {
                                fail(key + ": final message " + s + " (sent after the chaos) never arrived");
                            }
                        }
                    }
                    default -> {
                        // nothing else is written
                    }
                }
            }
        }
        assertTrue(finals >= 2L * SoakChild.FINAL_MESSAGES, "fewer final messages than sent: " + finals);
        StringBuilder resources = new StringBuilder("longest blocking step: "
                + roles.stream().mapToLong(r -> r.longestStall).max().orElseThrow() + " ms; ");
        for (Role r : roles) {
            resources.append(r.checkFlat(transport.equals("aeron") ? AERON_FD_SLACK : FD_SLACK));
        }
        return new Report(delivered, acknowledged, finals, lostAcknowledged, resources.toString().trim());
    }

    /** One of the three processes, in its successive incarnations. */
    private static final class Role implements AutoCloseable {
        final String name;
        /** Where what its incarnations printed is kept. */
        final Path out;
        final Starter starter;
        ChildJvm child;
        int incarnations;
        /** The pids of every incarnation. */
        final List<Long> pids = new ArrayList<>();
        /** Samples of the current incarnation's descriptors and heap, one per peer kill. */
        final List<long[]> samples = new ArrayList<>();
        /** The longest-lived incarnation's samples. */
        List<long[]> longest = List.of();
        /** The longest step of any incarnation's main loop (a blocking call), in ms. */
        long longestStall;

        Role(String name, Path out, Starter starter) {
            this.name = name;
            this.out = out;
            this.starter = starter;
        }

        void start() throws IOException {
            child = starter.start();
            incarnations++;
            pids.add(child.process().pid());
        }

        long pid() {
            return child.process().pid();
        }

        void kill() throws InterruptedException {
            checkNotHung();
            child.kill();
            done();
        }

        /** Ends the current incarnation's record (killed, or ended by itself). */
        void done() {
            try {
                Files.write(out, child.printed(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            String stats = lastLine("STATS ");
            if (stats != null) {
                longestStall = Math.max(longestStall, Long.parseLong(stats.substring(stats.indexOf("stall=") + 6)));
            }
            if (samples.size() > longest.size()) {
                longest = List.copyOf(samples);
            }
            samples.clear();
        }

        void checkNotHung() {
            for (String line : child.printed()) {
                if (line.startsWith("HUNG")) {
                    fail(name + " hung: " + child.printed());
                }
            }
            if (!child.process().isAlive() && child.process().exitValue() != 0) {
                fail(name + " ended by itself with exit code " + child.process().exitValue() + ": " + tail());
            }
        }

        /** Records the last STATS line the current incarnation printed. */
        void sample() {
            String stats = lastLine("STATS ");
            if (stats != null) {
                String[] f = stats.split("[ =]");
                samples.add(new long[] {Long.parseLong(f[2]), Long.parseLong(f[4])});
            }
        }

        String lastLine(String prefix) {
            List<String> printed = child.printed();
            for (int i = printed.size() - 1; i >= 0; i--) {
                if (printed.get(i).startsWith(prefix)) {
                    return printed.get(i);
                }
            }
            return null;
        }

        void awaitLine(String prefix, long millis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (lastLine(prefix) == null) {
                checkNotHung();
                if (System.nanoTime() > deadline) {
                    fail(name + " never printed " + prefix + ": " + tail());
                }
                Thread.sleep(20);
            }
        }

        /** @return a note of how flat descriptors and heap stayed, failing when they grew */
        String checkFlat(int fdSlack) {
            if (longest.size() < 3) {
                return name + ": lived through " + longest.size() + " peer kills (too few to judge); ";
            }
            // from the second sample on: the first reconnection loads classes and opens jars once
            long[] first = longest.get(1);
            long[] last = longest.get(longest.size() - 1);
            long maxFds = longest.stream().skip(1).mapToLong(s -> s[0]).max().orElseThrow();
            assertTrue(maxFds - first[0] <= fdSlack, name + ": descriptors grew from " + first[0] + " to " + maxFds);
            assertTrue(last[1] - first[1] <= HEAP_SLACK, name + ": heap grew from " + first[1] + " to " + last[1]);
            return name + ": fds " + first[0] + " -> " + last[0] + ", heap " + (first[1] >> 10) + " -> " + (last[1] >> 10)
                    + " KiB over " + longest.size() + " samples; ";
        }

        String tail() {
            List<String> all = child.printed();
            return String.valueOf(all.subList(Math.max(0, all.size() - 40), all.size()));
        }

        @Override
        public void close() throws InterruptedException {
            if (child != null) {
                child.close();
            }
        }
    }

    @FunctionalInterface
    private interface Starter {
        ChildJvm start() throws IOException;
    }
}
