package dev.hoare.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hoare.channels.fifo.Fifos;
import dev.hoare.channels.shm.Shms;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code hoare} command run as a user runs it: {@code java -jar examples/target/hoare.jar ...}, a process per call. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HoareCliIT {
    private static final Path JAR = Path.of("target", "hoare.jar").toAbsolutePath();
    private static final String TAG = "cli-" + ProcessHandle.current().pid();

    /** What one run of the command did. */
    record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    /** A started command, its output collected as it comes. */
    static final class Started {
        final Process process;
        final CompletableFuture<String> out;
        final CompletableFuture<String> err;

        Started(Process process) {
            this.process = process;
            this.out = collect(process.getInputStream());
            this.err = collect(process.getErrorStream());
        }

        Run await(Duration timeout) throws Exception {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("hoare did not finish within " + timeout + "; it printed: " + out.getNow("") + err.getNow(""));
            }
            return new Run(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        }

        private static CompletableFuture<String> collect(InputStream in) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            }, r -> Thread.ofPlatform().daemon().start(r));
        }
    }

    static Started start(String stdin, String... args) throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR + " is built by 'package', before these tests run");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        return new Started(p);
    }

    static Run run(String... args) throws Exception {
        return start(null, args).await(Duration.ofSeconds(60));
    }

    private static Set<Path> hoareFiles() throws IOException {
        Set<Path> all = new HashSet<>();
        for (Path dir : List.of(Fifos.directory(), Shms.directory(), Path.of(System.getProperty("java.io.tmpdir")))) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(p -> dir.equals(Path.of(System.getProperty("java.io.tmpdir")))
                        ? p.getFileName().toString().matches("hoare-(tour|bench)-.*") : true).forEach(all::add);
            }
        }
        return all;
    }

    @Test
    void theTourRunsEverythingExitsZeroAndLeavesNoFiles() throws Exception {
        Set<Path> before = hoareFiles();
        long start = System.nanoTime();
        Run r = start(null, "tour").await(Duration.ofSeconds(60));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertEquals(0, r.exit(), r.err());
        for (String expected : List.of("100 squares received", "timed out after 500 ms", "evens x10 from the channel",
                "fifo: (a named pipe)", "uds:  (a Unix socket)", "shm:  (a shared-memory ring)", "received SIGUSR1", "done.")) {
            assertTrue(r.out().contains(expected), "missing \"" + expected + "\" in:\n" + r.out());
        }
        assertEquals(3, r.out().lines().filter(l -> l.contains("espresso, flat white, cortado")).count(), r.out());
        assertTrue(seconds < 30, "the tour took " + seconds + " s");
        Set<Path> left = hoareFiles();
        left.removeAll(before);
        assertEquals(Set.of(), left, "files the tour left behind");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fifo", "uds", "shm"})
    void sendAndRecvTalkOverEachTransport(String transport) throws Exception {
        try (Scratch scratch = new Scratch(transport, TAG)) {
            String receiving = scratch.receiving("talk").toString();
            String sending = scratch.sending("talk").toString();
            Started recv = start(null, "recv", receiving, "--count", "5", "--timeout", "30s");
            Run send = start(null, "send", sending, "hello", "wide world", "über").await(Duration.ofSeconds(60));
            assertEquals(0, send.exit(), send.err());
            Run got = recv.await(Duration.ofSeconds(60));
            assertEquals(0, got.exit(), got.err());
            assertEquals(List.of("hello", "wide world", "über"), got.out().lines().toList(), "ends when the sender closes");

            Started again = start(null, "recv", receiving, "--count", "2");
            Run piped = start("line one\nline two\nline three\n", "send", sending).await(Duration.ofSeconds(60));
            Run two = again.await(Duration.ofSeconds(60));
            assertEquals(List.of("line one", "line two"), two.out().lines().toList(), two.err());
            assertEquals(0, two.exit(), two.err());
            assertTrue(piped.exit() == 0 || piped.err().contains("hoare: "), "the sender of the third line may find the reader gone: " + piped);
        }
    }

    /**
     * {@code aeron:} between two processes, each with its own embedded media driver, over loopback
     * UDP: every value arrives, in order; the sender's close ends a {@code senders=one} receiver
     * (its {@code --count} is never reached); both drivers' directories are gone when the
     * processes have exited (the jar's manifest gives Agrona its export, its service file names the
     * transport).
     */
    @Test
    void sendAndRecvTalkOverAeronBetweenTwoProcesses() throws Exception {
        int port;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String channel = "aeron:udp?endpoint=127.0.0.1:" + port + "&stream=10";
        List<String> values = java.util.stream.IntStream.range(0, 2000).mapToObj(i -> "value " + i).toList();
        Started recv = start(null, "recv", channel + "&senders=one&timeout=30s", "--count", Integer.toString(values.size() + 1));
        Started send = start(String.join("\n", values) + "\n", "send", channel + "&timeout=30s");
        Run sent = send.await(Duration.ofSeconds(60));
        assertEquals(0, sent.exit(), sent.err());
        Run got = recv.await(Duration.ofSeconds(60));
        assertEquals(0, got.exit(), got.err());
        assertEquals(values, got.out().lines().toList(), "every value, in order, then the end at the sender's close");
        for (Process p : List.of(recv.process, send.process)) {
            Path dir = aeronDriverDirectory(p.pid());
            assertTrue(!Files.exists(dir), "the embedded media driver of hoare (pid " + p.pid() + ") left " + dir);
        }
    }

    /** Where transport-aeron's embedded media driver of process {@code pid} lives (AeronDrivers). */
    private static Path aeronDriverDirectory(long pid) {
        Path shm = Path.of("/dev/shm");
        Path root = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        return root.resolve("hoare-aeron-" + System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_"))
                .resolve(Long.toString(pid));
    }

    @Test
    void lsShowsALiveRingRefusesToRemoveItAndMarksADeadOwners() throws Exception {
        String name = TAG + "-ring";
        try {
            Started reader = start(null, "recv", "shm:" + name + "?timeout=60s", "--timeout", "60s");
            long pid = reader.process.pid();
            // the owner shows as soon as the file exists; the line says "shm" once the header is written
            String line = awaitLsLine(name, pid + " alive", "shm");
            assertTrue(line.contains("1 MiB ring") && line.contains("queued"), line);

            Run refused = run("rm", name);
            assertEquals(1, refused.exit());
            assertEquals(1, refused.errLines().size(), refused.err());
            assertTrue(refused.err().startsWith("hoare: ") && refused.err().contains("in use"), refused.err());

            reader.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            String dead = awaitLsLine(name, pid + " dead");
            assertTrue(dead.contains("heartbeats: reader ") && dead.contains("no writer"), dead);
            Run removed = run("rm", name);
            assertEquals(0, removed.exit(), removed.err());
            assertTrue(removed.out().startsWith("removed shm "), removed.out());
            assertTrue(!Files.exists(Shms.path(name)));
        } finally {
            Shms.remove(name);
            Fifos.remove(name);
        }
    }

    @Test
    void lsCountsTheValuesADurableQueueKeepsAndRmRemovesItSayingHowMany() throws Exception {
        String name = TAG + "-queue";
        java.net.URI uri = java.net.URI.create("shm:" + name + "?timeout=30s");
        try {
            CompletableFuture<dev.hoare.channels.ReceiveChannel<String>> opening = CompletableFuture.supplyAsync(() -> {
                try {
                    return dev.hoare.channels.Channels.openReceive(uri, dev.hoare.channels.Codec.utf8());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            dev.hoare.channels.ReceiveChannel<String> in;
            try (dev.hoare.channels.SendChannel<String> out = dev.hoare.channels.Channels.openSend(uri, dev.hoare.channels.Codec.utf8())) {
                in = opening.get(30, TimeUnit.SECONDS); // its opening took the HELLO alone: the values come after
                for (int i = 0; i < 5; i++) {
                    out.send("job " + i);
                }
            }
            in.close(); // the reader goes without taking them: they wait in the ring for the next one

            String line = awaitLsLine(name, "5 values queued");
            assertTrue(line.startsWith("shm "), line);
            Run removed = run("rm", name);
            assertEquals(0, removed.exit(), removed.err());
            assertEquals("removed shm " + Shms.path(name) + " (5 values dropped)", removed.out().strip());
            assertTrue(!Files.exists(Shms.path(name)));
        } finally {
            Shms.remove(name);
        }
    }

    @Test
    void rmForceRemovesARingWhoseReaderIsAlive() throws Exception {
        String name = TAG + "-forced";
        Started reader = start(null, "recv", "shm:" + name + "?timeout=60s", "--timeout", "60s");
        try {
            awaitLsLine(name, reader.process.pid() + " alive", "shm");
            Run forced = run("rm", name, "--force");
            assertEquals(0, forced.exit(), forced.err());
            assertTrue(forced.out().startsWith("removed shm "), forced.out());
            assertTrue(!Files.exists(Shms.path(name)));
        } finally {
            reader.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Shms.remove(name);
        }
    }

    @Test
    void rmLeavesAloneWhatHoareDidNotMake() throws Exception {
        Path dir = Files.createTempDirectory("hoare-rm-");
        Path notes = Files.writeString(dir.resolve("notes.txt"), "keep me");
        Path loneLock = Files.writeString(dir.resolve("orders.lock"), "");
        Path open = dir.resolve("open-fifo");
        Path foreign = dir.resolve("foreign-fifo");
        try {
            for (Path fifo : List.of(open, foreign)) {
                assertEquals(0, new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).start().waitFor());
            }
            Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
            int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            boolean canChown = me == 0;
            if (canChown) {
                Files.setAttribute(foreign, "unix:uid", 54321);
            }
            for (Path p : canChown ? List.of(notes, loneLock, open, foreign) : List.of(notes, loneLock, open)) {
                for (boolean force : List.of(false, true)) {
                    Run r = force ? run("rm", p.toString(), "--force") : run("rm", p.toString());
                    assertEquals(1, r.exit(), p + ": " + r);
                    assertTrue(r.err().contains("not a Hoare channel; left alone"), r.err());
                    assertEquals(1, r.errLines().size(), r.err());
                    assertEquals("", r.out());
                    assertTrue(Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS), p + " was removed");
                }
            }
            assertEquals("keep me", Files.readString(notes));
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void rmRemovesAStaleFifoWithItsLock() throws Exception {
        String name = TAG + "-stale-fifo";
        Path fifo = Fifos.create(name);
        Path lock = fifo.resolveSibling(fifo.getFileName() + ".lock");
        Files.writeString(lock, "");
        try {
            Run r = run("rm", name);
            assertEquals(0, r.exit(), r.toString());
            assertEquals("removed fifo " + fifo, r.out().strip());
            assertTrue(!Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.exists(lock));
        } finally {
            Fifos.remove(name);
        }
    }

    /**
     * Runs {@code hoare ls} until a line names {@code name} and shows {@code owner} (with a deadline), and, if
     * {@code kind} is given, starts with it: a ring being created is listed as a plain file until its header is written.
     */
    private static String awaitLsLine(String name, String owner) throws Exception {
        return awaitLsLine(name, owner, "");
    }

    private static String awaitLsLine(String name, String owner, String kind) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            Run ls = run("ls");
            assertEquals(0, ls.exit(), ls.err());
            last = ls.out();
            for (String line : ls.out().lines().toList()) {
                if (line.contains(" " + name + " ") && line.contains(owner) && line.startsWith(kind)) {
                    return line;
                }
            }
            Thread.sleep(100); // polling: ls is a process of its own
        }
        return fail("no ls line for " + name + " with owner '" + owner + "' starting '" + kind + "'; last ls:\n" + last);
    }

    @Test
    void badArgumentsExitTwoWithOneLineOnStandardError() throws Exception {
        List<List<String>> bad = List.of(List.of(), List.of("frobnicate"), List.of("send"), List.of("recv", "fifo:x", "--count", "-1"),
                List.of("recv", "fifo:x", "--timeout", "soon"), List.of("recv", "fifo:../etc"), List.of("send", "bogus:x", "v"),
                List.of("bench", "carrier-pigeon"), List.of("bench", "shm", "--size", "0"), List.of("rm", "a/b"),
                List.of("rm", "inproc:x"), List.of("rm", "uds:relative.sock"), List.of("send", "fifo:x?timeout=soon", "v"));
        for (List<String> args : bad) {
            Run r = run(args.toArray(String[]::new));
            assertEquals(2, r.exit(), args + ": " + r);
            assertEquals(1, r.errLines().size(), args + ": " + r.err());
            assertTrue(r.err().startsWith("hoare: "), args + ": " + r.err());
            assertEquals("", r.out(), args + ": nothing on standard output");
        }
    }

    @Test
    void aMissingPeerIsOneClearLineAndVerboseAddsTheStackTrace() throws Exception {
        String name = TAG + "-nobody";
        try {
            Run quiet = run("recv", "fifo:" + name + "?timeout=300ms");
            assertEquals(1, quiet.exit(), quiet.toString());
            assertEquals(1, quiet.errLines().size(), quiet.err());
            assertTrue(quiet.err().contains("no writer opened FIFO"), quiet.err());

            Run verbose = run("recv", "fifo:" + name + "?timeout=300ms", "--verbose");
            assertEquals(1, verbose.exit(), verbose.toString());
            assertTrue(verbose.err().contains("\tat dev.hoare."), "a stack trace with --verbose: " + verbose.err());
        } finally {
            Fifos.remove(name);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fifo", "uds", "shm", "aeron"})
    void benchMeasuresEachTransportAndCleansUp(String transport) throws Exception {
        Set<Path> before = hoareFiles();
        Run r = run("bench", transport, "--seconds", "1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("streaming:") && r.out().contains("all received"), r.out());
        assertTrue(r.out().contains("round trip: p50 ") && r.out().contains("p99.9 "), r.out());
        Set<Path> left = hoareFiles();
        left.removeAll(before);
        assertEquals(Set.of(), left);
    }

    @Test
    void timeoutBoundsTheWaitForAPeerUnlessTheUriSetsItsOwnAndPrintsAsPeopleReadIt() throws Exception {
        String name = TAG + "-late";
        try {
            for (List<String> args : List.of(List.of("recv", "fifo:" + name, "--timeout", "1s"),
                    List.of("send", "shm:" + name, "--timeout", "1s", "v"))) {
                long start = System.nanoTime();
                Run r = run(args.toArray(String[]::new));
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(1, r.exit(), args + ": " + r);
                assertEquals(1, r.errLines().size(), r.err());
                assertTrue(r.err().contains("within 1 s"), args + ": " + r.err());
                assertTrue(ms < 6_000, args + " waited " + ms + " ms, not its --timeout of 1 s");
            }
            // the URI's own timeout= wins over --timeout
            long start = System.nanoTime();
            Run r = run("recv", "fifo:" + name + "?timeout=300ms", "--timeout", "60s");
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().contains("within 300 ms") && !r.err().contains("PT"), r.err());
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 30, "the URI's timeout was not used");
        } finally {
            Fifos.remove(name);
            Shms.remove(name);
        }
    }

    @Test
    void aSocketInADirectoryThatDoesNotExistFailsAtOnceSayingSo() throws Exception {
        String missing = "/tmp/" + TAG + "-no-such-dir/in.sock";
        long start = System.nanoTime();
        Run r = start("hi\n", "send", "uds:" + missing).await(Duration.ofSeconds(60));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("/tmp/" + TAG + "-no-such-dir does not exist"), r.err());
        assertTrue(ms < 6_000, "waited " + ms + " ms");
    }

    @Test
    void rmTakesTheUrisSendAndRecvTakeAndSaysWhichItRemoved() throws Exception {
        String name = TAG + "-both";
        Path fifo = Fifos.create(name);
        dev.hoare.channels.shm.ShmRing.create(Shms.path(name), 1 << 12).close();
        Path ring = Shms.path(name);
        Path dir = Files.createTempDirectory("hoare-rm-uds-");
        Path socket = dir.resolve("x.sock");
        try {
            Run fifoOnly = run("rm", "fifo:" + name);
            assertEquals(0, fifoOnly.exit(), fifoOnly.toString());
            assertEquals(List.of("removed fifo " + fifo), fifoOnly.out().lines().toList());
            assertTrue(!Files.exists(fifo) && Files.exists(ring), "the scheme limits rm to that transport");

            Run noFifo = run("rm", "fifo:" + name);
            assertEquals(1, noFifo.exit(), noFifo.toString());

            Fifos.create(name);
            Run both = run("rm", name);
            assertEquals(0, both.exit(), both.toString());
            assertEquals(Set.of("removed fifo " + fifo, "removed shm " + ring), Set.copyOf(both.out().lines().toList()), both.out());
            assertEquals(2, both.out().lines().count(), both.out());
            assertTrue(!Files.exists(fifo) && !Files.exists(ring));

            dev.hoare.channels.shm.ShmRing.create(ring, 1 << 12).close();
            Run shm = run("rm", "shm:" + name + "?capacityBytes=4096");
            assertEquals(0, shm.exit(), shm.toString());
            assertEquals(List.of("removed shm " + ring), shm.out().lines().toList());

            try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                server.bind(java.net.UnixDomainSocketAddress.of(socket)); // closed: a stale socket, as a killed server leaves
            }
            Files.setPosixFilePermissions(socket, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Run uds = run("rm", "uds:" + socket);
            assertEquals(0, uds.exit(), uds.toString());
            assertEquals(List.of("removed socket " + socket), uds.out().lines().toList());
            assertTrue(!Files.exists(socket));
        } finally {
            Fifos.remove(name);
            Shms.remove(name);
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
    }

    @Test
    void aValueTooLargeForThePeersFrameIsAFailureNotAUsageError() throws Exception {
        Path dir = Files.createTempDirectory("hoare-big-");
        Path socket = dir.resolve("big.sock");
        try {
            Started recv = start(null, "recv", "uds:" + socket + "?listen=one&maxFrame=32&timeout=30s", "--timeout", "30s");
            Run send = start(null, "send", "uds:" + socket + "?timeout=30s", "a value much longer than the thirty-two bytes the receiver takes")
                    .await(Duration.ofSeconds(60));
            assertEquals(1, send.exit(), send.toString());
            assertEquals(1, send.errLines().size(), send.err());
            assertTrue(send.err().contains("does not fit a frame of 32 bytes"), send.err());
            recv.await(Duration.ofSeconds(60));
        } finally {
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
    }

    @Test
    void aPeersCloseCauseShowsAsThePeerSentItWithNoInternalClassName() throws Exception {
        Path dir = Files.createTempDirectory("hoare-cause-");
        Path socket = dir.resolve("cause.sock");
        try {
            Started recv = start(null, "recv", "uds:" + socket + "?listen=one&timeout=30s");
            try (dev.hoare.channels.SendChannel<String> out = dev.hoare.channels.Channels.openSend(
                    java.net.URI.create("uds:" + socket + "?timeout=30s"), dev.hoare.channels.Codec.utf8())) {
                out.send("first");
                out.close(new IllegalStateException("the till is empty"));
            }
            Run r = recv.await(Duration.ofSeconds(60));
            assertEquals(1, r.exit(), r.toString());
            assertEquals(List.of("first"), r.out().lines().toList());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().contains("java.lang.IllegalStateException: the till is empty"), r.err());
            for (String internal : List.of("RemoteCause", "Frame$", "dev.hoare.")) {
                assertTrue(!r.err().contains(internal), "names " + internal + ": " + r.err());
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
    }

    @Test
    void versionIsTheBuildsVersion() throws Exception {
        String expected = System.getProperty("hoare.version");
        assertTrue(expected != null && !expected.isBlank(), "failsafe passes the pom's version as hoare.version");
        Run r = run("--version");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("hoare " + expected, r.out().strip());
    }
}
