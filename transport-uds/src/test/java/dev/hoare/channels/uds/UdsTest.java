package dev.hoare.channels.uds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.contract.ChildJvm;
import dev.hoare.channels.contract.ContractPeer;
import dev.hoare.channels.link.StreamOptions;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the Unix-socket transport does beyond the contract: fan-in, security, stale and live sockets, server loss. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class UdsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) { // the last opened first, as try-with-resources
            c.close();
        }
    }

    private <C extends AutoCloseable> C track(C c) {
        open.add(c);
        return c;
    }

    private UnixServer<String> server(Path path) throws IOException {
        return track(UnixChannels.listen(path, Codec.utf8(), UnixServer.Options.defaults()));
    }

    @Test
    void sixteenClientProcessesFanInTenThousandValuesEachExactlyOnce() throws Exception {
        int clients = 16;
        int each = 10_000;
        UnixServer<String> server = server(dir.resolve("fanin.sock"));
        for (int c = 0; c < clients; c++) {
            track(ChildJvm.start(UdsClientChild.class, server.path().toString(), Integer.toString(c), Integer.toString(each)));
        }
        int[] next = new int[clients];
        for (int n = 0; n < clients * each; n++) {
            String v = server.channel().receive(WAIT).orElseThrow(() -> new AssertionError("a value did not come"));
            int c = Integer.parseInt(v.substring(0, v.indexOf(':')));
            assertEquals(next[c]++, Integer.parseInt(v.substring(v.indexOf(':') + 1)), "client " + c + " out of order");
        }
        for (int c = 0; c < clients; c++) {
            assertEquals(each, next[c]);
        }
        assertTrue(server.channel().tryReceive().isEmpty(), "nothing more than sent");
        assertFalse(server.channel().isClosedForReceive(), "clients leaving does not close the server's channel");
    }

    @Test
    void aClientsCloseEndsOnlyItsConnection() throws Exception {
        UnixServer<String> server = server(dir.resolve("two.sock"));
        StreamOptions o = StreamOptions.defaults();
        try (SendChannel<String> first = UnixChannels.connectSend(server.path(), Codec.utf8(), o)) {
            first.send("one");
        }
        assertEquals("one", server.channel().receive(WAIT).orElseThrow());
        try (SendChannel<String> second = UnixChannels.connectSend(server.path(), Codec.utf8(), o)) {
            second.send("two");
            assertEquals("two", server.channel().receive(WAIT).orElseThrow());
        }
        server.close();
        assertTrue(server.channel().isClosedForReceive());
        assertFalse(Files.exists(server.path()), "closing the server removes its socket file");
    }

    @Test
    void theSocketIsOwnerOnlyAndNoPrivateDirectoryIsLeft() throws Exception {
        UnixServer<String> server = server(dir.resolve("perm.sock"));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(server.path()));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(server.path()), files.toList(), "only the socket is left in the directory");
        }
        Path nested = dir.resolve("made/for/us/s.sock");
        server(nested);
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(nested.getParent()));
    }

    @Test
    void aStaleSocketFileIsReplacedAndALiveOneRefused() throws Exception {
        Path path = dir.resolve("stale.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(path)); // the JDK leaves the file behind on close
        }
        assertTrue(Files.exists(path));
        UnixServer<String> server = server(path);
        try (SendChannel<String> out = UnixChannels.connectSend(path, Codec.utf8(), StreamOptions.defaults())) {
            out.send("fresh");
        }
        assertEquals("fresh", server.channel().receive(WAIT).orElseThrow());
        IOException live = assertThrows(IOException.class, () -> server(path));
        assertTrue(live.getMessage().contains("address in use"), live.getMessage());
    }

    /** What a server killed while binding leaves (its private directory) goes with the next bind beside it. */
    @Test
    void aBindDirectoryOfADeadServerIsRemovedByTheNext() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(30, TimeUnit.SECONDS));
        Path dead = Files.createDirectory(dir.resolve(".hoare-bind-" + gone.pid() + "-42"));
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(dead.resolve("s")));
        }
        Path alive = Files.createDirectory(dir.resolve(".hoare-bind-" + ProcessHandle.current().pid() + "-43"));
        Path other = Files.createDirectory(dir.resolve(".hoare-bind-not-a-pid"));
        server(dir.resolve("next.sock"));
        assertFalse(Files.exists(dead), "the dead server's bind directory stayed");
        assertTrue(Files.isDirectory(alive), "a live process's bind directory was removed");
        assertTrue(Files.isDirectory(other));
    }

    @Test
    void somethingThatIsNotASocketIsNeverReplaced() throws Exception {
        Path file = Files.writeString(dir.resolve("file.sock"), "keep me");
        IOException e = assertThrows(IOException.class, () -> server(file));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void aClientOfAUserNotAllowedIsRefusedAndNeverServed() throws Exception {
        UnixServer<String> server = track(UnixChannels.listen(dir.resolve("picky.sock"), Codec.utf8(),
                UnixServer.Options.defaults().withAllowedUsers(Set.of("somebody-else"))));
        IOException e = assertThrows(IOException.class, () -> UnixChannels.connectSend(server.path(), Codec.utf8(),
                StreamOptions.defaults().withTimeout(Duration.ofSeconds(5))));
        assertTrue(e.getMessage().contains("before its handshake") || e.getMessage().contains("connection lost"), e.getMessage());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.refusedClients() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, server.refusedClients());
        assertTrue(server.channel().tryReceive().isEmpty());
    }

    /**
     * A real process of another user (uid 65534, "nobody", started with {@code setpriv}; needs
     * root, skipped otherwise): first it cannot even reach the socket (0600 in its place); then,
     * with the socket opened to everyone on purpose, it connects and the server's SO_PEERCRED check
     * refuses it: counted, closed, nothing it sent is ever received.
     */
    @Test
    void aProcessOfAnotherUserIsRefused() throws Exception {
        Path setpriv = Path.of("/usr/bin/setpriv");
        Assumptions.assumeTrue(Files.isExecutable(setpriv) && "root".equals(System.getProperty("user.name")),
                "needs root and setpriv to run a process as another user");
        Path shared = Files.createTempDirectory(Path.of("/tmp"), "hoare-foreign-");
        try {
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
            String classPath = readableCopyOfClassPath(shared.resolve("cp"));
            Path path = shared.resolve("guarded.sock");
            UnixServer<String> server = track(UnixChannels.listen(path, Codec.utf8(), UnixServer.Options.defaults()));
            List<String> command = List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                    ProcessHandle.current().info().command().orElseThrow(), "-XX:-UsePerfData", "-Xmx64m",
                    "--enable-native-access=ALL-UNNAMED", "-cp", classPath, ContractPeer.class.getName(),
                    "send", "uds:" + path + "?timeout=2s", "3");

            ChildJvm denied = track(ChildJvm.run(command));
            assertTrue(denied.exitCode() != 0, "the other user sent through a 0600 socket: " + denied.printed());
            assertTrue(String.join("\n", denied.printed()).contains("ermission denied"), denied.printed().toString());
            assertEquals(0, server.refusedClients());

            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
            ChildJvm refused = track(ChildJvm.run(command));
            assertTrue(refused.exitCode() != 0, "the other user was served: " + refused.printed());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (server.refusedClients() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, server.refusedClients());
            assertTrue(server.channel().receive(Duration.ofMillis(200)).isEmpty(), "a refused client's value was received");
        } finally {
            try (var files = Files.walk(shared)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Copies this JVM's class path (jars and class directories) where any user can read it. */
    private static String readableCopyOfClassPath(Path into) throws IOException {
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) {
                continue;
            }
            Path to = into.resolve(Integer.toString(n++) + (Files.isDirectory(from) ? "" : ".jar"));
            try (var tree = Files.walk(from)) {
                for (Path p : (Iterable<Path>) tree::iterator) {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(p, target);
                    }
                }
            }
            entries.add(to.toString());
        }
        try (var tree = Files.walk(into)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    @Test
    void aServerKilledMidStreamIsPeerLostForItsClients() throws Exception {
        Path path = dir.resolve("doomed.sock");
        URI uri = URI.create("uds:" + path + "?listen=true");
        ChildJvm child = track(ChildJvm.start(ContractPeer.class, "receive", uri.toString()));
        child.expect("OPEN");
        SendChannel<String> out = track(Channels.openSend(uri, Codec.utf8()));
        for (int i = 0; i < 100; i++) {
            out.send(Integer.toString(i));
        }
        child.expect("GOT 99");
        child.kill();
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                out.send("more", Duration.ofSeconds(1));
            }
        });
        assertInstanceOf(PeerLostException.class, closed.getCause());
    }

    @Test
    void capacityZeroIsARendezvousAcrossProcesses() throws Exception {
        URI uri = URI.create("uds:" + dir.resolve("rdv.sock") + "?capacity=0&listen=one");
        ChildJvm child = track(ChildJvm.start(ContractPeer.class, "take-on-command", uri.toString()));
        SendChannel<String> out = track(Channels.openSend(uri, Codec.utf8()));
        child.expect("OPEN");
        for (int round = 0; round < 3; round++) {
            String value = "v" + round;
            java.util.concurrent.CountDownLatch sending = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CompletableFuture<Long> sent = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    sending.countDown();
                    out.send(value);
                    return System.currentTimeMillis();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(sending.await(30, TimeUnit.SECONDS));
            assertFalse(sent.isDone(), "the send returned before the child's application took the value");
            child.tell("TAKE");
            String took = child.expect("TOOK " + value);
            long takeBegan = Long.parseLong(took.substring(took.lastIndexOf(' ') + 1));
            long sentAt = sent.get(30, TimeUnit.SECONDS);
            // the child began its receive only when told to, after the send had started; a send
            // that returned without waiting for the take would have returned before that
            assertTrue(sentAt >= takeBegan, "send returned at " + sentAt + ", before the child began to take the value at "
                    + takeBegan);
        }
    }

    @Test
    void aSenderIsStoppedAfterExactlyCapacityValuesTheOtherProcessHasNotTaken() throws Exception {
        int capacity = 3;
        URI uri = URI.create("uds:" + dir.resolve("cap.sock") + "?capacity=" + capacity + "&listen=one");
        ChildJvm child = track(ChildJvm.start(ContractPeer.class, "take-on-command", uri.toString()));
        SendChannel<String> out = track(Channels.openSend(uri, Codec.utf8()));
        child.expect("OPEN");
        int sent = 0;
        while (out.trySend("c" + sent)) {
            sent++;
        }
        assertEquals(capacity, sent, "values accepted with none taken");
        assertFalse(out.send("blocked", Duration.ofMillis(200)));
        child.tell("TAKE");
        child.expect("TOOK c0");
        assertTrue(out.send("c" + sent, WAIT), "one take makes room for exactly one");
        assertFalse(out.trySend("one too many"));
    }

    @Test
    void requestsAndResponsesShareOneSocketAcrossProcesses() throws Exception {
        Path path = dir.resolve("rpc.sock");
        ChildJvm child = track(ChildJvm.start(UdsServeChild.class, path.toString()));
        child.expect("READY");
        try (dev.hoare.channels.remote.StreamChannels.Duplex<String, String> a = UnixChannels.connect(path, Codec.utf8(), Codec.utf8(),
                StreamOptions.defaults());
             dev.hoare.channels.remote.StreamChannels.Duplex<String, String> b = UnixChannels.connect(path, Codec.utf8(), Codec.utf8(),
                StreamOptions.defaults())) {
            for (int i = 0; i < 300; i++) {
                a.out().send("a" + i);
                b.out().send("b" + i);
                assertEquals("A" + i, a.in().receive(WAIT).orElseThrow());
                assertEquals("B" + i, b.in().receive(WAIT).orElseThrow());
            }
        }
        child.kill();
    }

    @Test
    void connectionsArriveOnAChannelThatIsASelectCase() throws Exception {
        UnixServer<dev.hoare.channels.remote.StreamChannels.Duplex<String, String>> server = track(UnixChannels.serve(
                dir.resolve("select.sock"), Codec.utf8(), Codec.utf8(), UnixServer.Options.defaults()));
        dev.hoare.channels.Channel<String> local = dev.hoare.channels.Channel.buffered(1);
        String nothingYet = dev.hoare.channels.Select.<String>select()
                .onReceive(server.channel(), c -> "connection")
                .onReceive(local, v -> v)
                .onTimeout(Duration.ofMillis(100), () -> "timeout").run();
        assertEquals("timeout", nothingYet);
        var client = track(UnixChannels.connect(server.path(), Codec.utf8(), Codec.utf8(), StreamOptions.defaults()));
        var connection = dev.hoare.channels.Select.<dev.hoare.channels.remote.StreamChannels.Duplex<String, String>>select()
                .onReceive(server.channel(), c -> c)
                .onReceive(local, v -> null)
                .onTimeout(WAIT, () -> null).run();
        assertTrue(connection != null, "the connection came through the select");
        track(connection);
        client.out().send("ping");
        assertEquals("ping", connection.in().receive(WAIT).orElseThrow());
        connection.out().send("pong");
        assertEquals("pong", client.in().receive(WAIT).orElseThrow());
    }

    @Test
    void badUrisAreRefusedClearly() {
        IllegalArgumentException relative = assertThrows(IllegalArgumentException.class,
                () -> Channels.openSend(URI.create("uds:relative.sock"), Codec.utf8()));
        assertTrue(relative.getMessage().contains("absolute"), relative.getMessage());
        IllegalArgumentException listen = assertThrows(IllegalArgumentException.class,
                () -> Channels.openReceive(URI.create("uds:/x.sock?listen=maybe"), Codec.utf8()));
        assertTrue(listen.getMessage().contains("true, one or false"), listen.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Channels.openReceive(URI.create("uds:/x.sock?colour=red"), Codec.utf8()));
        assertTrue(unknown.getMessage().contains("colour"), unknown.getMessage());
    }

    /**
     * An endpoint's address is a URI path (as {@link URI#getPath}) for every transport: {@code %XX}
     * is decoded, {@code +} stays a plus (it was form-decoded into a space).
     */
    @Test
    void aPlusInAUriPathStaysAPlusForEveryScheme() {
        assertEquals("/tmp/a+b.sock", dev.hoare.channels.spi.Endpoint.parse(URI.create("uds:/tmp/a+b.sock?timeout=1s")).address());
        assertEquals("/tmp/a b+c.sock", dev.hoare.channels.spi.Endpoint.parse(URI.create("uds:/tmp/a%20b%2Bc.sock")).address());
        assertEquals("orders+eu", dev.hoare.channels.spi.Endpoint.parse(URI.create("inproc:orders+eu")).address());
        assertEquals("/dev/shm/x+y", dev.hoare.channels.spi.Endpoint.parse(URI.create("shm:/dev/shm/x+y")).address());
        assertEquals("q+1", dev.hoare.channels.spi.Endpoint.parse(URI.create("fifo:q+1?capacity=2")).address());
        assertEquals("\u00e9t\u00e9", dev.hoare.channels.spi.Endpoint.parse(URI.create("fifo:%C3%A9t%C3%A9")).address());
    }

    @Test
    void aServerAtAPathWithAPlusBindsThatPathAndIsReachedThroughIt() throws Exception {
        Path path = dir.resolve("a+b.sock");
        URI uri = URI.create("uds:" + path + "?listen=true");
        ReceiveChannel<String> in = track(Channels.openReceive(uri, Codec.utf8()));
        assertTrue(Files.exists(path), "no socket at " + path + "; the directory has "
                + Files.list(dir).map(p -> "'" + p.getFileName() + "'").toList());
        SendChannel<String> out = track(Channels.openSend(uri, Codec.utf8()));
        out.send("plus");
        assertEquals("plus", in.receive(WAIT).orElseThrow());
    }

    /**
     * A socket address holds at most 107 bytes of path (108 with the NUL): a longer path is
     * refused at once by a server (which could bind in its short private directory and rename
     * the socket into place, leaving a server nobody can reach) and by a client (which retried
     * until its timeout).
     */
    @Test
    void aPathLongerThanASocketAddressHoldsIsRefusedAtOnceOnBothSides() throws Exception {
        Path path = dir.resolve("x".repeat(120 - dir.toString().length()) + ".sock");
        IllegalArgumentException server = assertThrows(IllegalArgumentException.class,
                () -> server(path));
        assertTrue(server.getMessage().contains("108"), server.getMessage());
        assertFalse(Files.exists(path));
        IllegalArgumentException listening = assertThrows(IllegalArgumentException.class,
                () -> Channels.openReceive(URI.create("uds:" + path + "?listen=one"), Codec.utf8()));
        assertTrue(listening.getMessage().contains("108"), listening.getMessage());
        long start = System.nanoTime();
        IllegalArgumentException client = assertThrows(IllegalArgumentException.class,
                () -> Channels.openSend(URI.create("uds:" + path + "?timeout=20s"), Codec.utf8()));
        assertTrue(client.getMessage().contains("108"), client.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "the client waited for its timeout");
        assertThrows(IllegalArgumentException.class, () -> UnixChannels.connectReceive(path, Codec.utf8(), StreamOptions.defaults()));
    }

    @Test
    void aClientOfAPathWhoseDirectoryDoesNotExistFailsAtOnceSayingSo() throws Exception {
        Path missing = dir.resolve("no-such-dir").resolve("in.sock");
        for (boolean send : List.of(true, false)) {
            long start = System.nanoTime();
            URI uri = URI.create("uds:" + missing + "?timeout=20s");
            IOException e = assertThrows(IOException.class,
                    () -> (send ? Channels.openSend(uri, Codec.utf8()) : Channels.openReceive(uri, Codec.utf8())).close());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms < 5_000, "the client waited " + ms + " ms, for its timeout");
            assertInstanceOf(java.nio.file.NoSuchFileException.class, e);
            assertTrue(e.getMessage().contains(missing.getParent() + " does not exist"), e.getMessage());
        }
        assertFalse(Files.exists(missing.getParent()), "a client makes no directory");
    }

    /** A uid with no passwd entry, as containers run; tests that need it are skipped when it has one. */
    private static final int NAMELESS_UID = 54321;

    /**
     * Skips unless this runs as root with {@code setpriv} (needed to start a process as another
     * uid), and, if {@code nameless}, unless {@link #NAMELESS_UID} has no passwd entry.
     */
    private static void assumeOtherUids(boolean nameless) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && PeerCheck.currentUserName().equals("root"),
                "needs root and /usr/bin/setpriv to start a process as another uid");
        if (nameless) {
            Process getent = new ProcessBuilder("getent", "passwd", Integer.toString(NAMELESS_UID)).redirectErrorStream(true).start();
            String found = new String(getent.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            Assumptions.assumeTrue(getent.waitFor() != 0 && found.isBlank(),
                    "uid " + NAMELESS_UID + " has a passwd entry (" + found.strip() + "); the test needs a uid with none");
        }
    }

    /** A directory every user can search, with a class path they can read and a directory {@code s} owned by {@code uid}. */
    private Path sharedWith(int uid) throws IOException {
        Path shared = track(new TempTree(Files.createTempDirectory(Path.of("/tmp"), "hoare-uid-"))).root();
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path sockets = Files.createDirectory(shared.resolve("s"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setOwner(sockets, java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService()
                .lookupPrincipalByName(Integer.toString(uid)));
        return shared;
    }

    /** {@link ContractPeer} with {@code args}, in a JVM running as {@code uid} (with {@link #sharedWith}'s class path). */
    private ChildJvm contractPeerAs(int uid, Path shared, String... args) throws IOException {
        Path cp = shared.resolve("cp");
        String classPath = Files.isDirectory(cp) ? Files.readString(shared.resolve("cp.txt")) : null;
        if (classPath == null) {
            classPath = readableCopyOfClassPath(cp);
            Files.writeString(shared.resolve("cp.txt"), classPath);
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--",
                ProcessHandle.current().info().command().orElseThrow(), "-XX:-UsePerfData", "-Xmx64m",
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath, ContractPeer.class.getName()));
        command.addAll(List.of(args));
        return track(ChildJvm.run(command));
    }

    /** Deletes a directory tree when closed. */
    private record TempTree(Path root) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try (var files = Files.walk(root)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * A server and a client both running as a uid with no passwd entry (where {@code user.name}
     * is {@code ?}) accept each other: users are compared by uid, not by name. The server also
     * replaces the stale socket that a killed server of that uid left (its owner is that uid).
     */
    @Test
    void aServerAndAClientOfAUidWithNoPasswdEntryAcceptEachOther() throws Exception {
        assumeOtherUids(true);
        Path shared = sharedWith(NAMELESS_UID);
        Path socket = shared.resolve("s/nameless.sock");
        ChildJvm killed = contractPeerAs(NAMELESS_UID, shared, "receive", "uds:" + socket + "?listen=true");
        killed.expect("OPEN");
        killed.kill(); // leaves its socket file behind
        assertTrue(Files.exists(socket));
        String uri = "uds:" + socket + "?listen=one&timeout=20s";
        ChildJvm server = contractPeerAs(NAMELESS_UID, shared, "receive", uri);
        ChildJvm client = contractPeerAs(NAMELESS_UID, shared, "send", uri, "3");
        server.expect("GOT 2");
        client.expect("DONE");
        assertEquals(0, client.exitCode(), client.printed().toString());
    }

    /**
     * A client accepts a server of another uid only when its {@code allowedUsers} names it, and a
     * server admits a client of another uid only when its own does: here the server runs as
     * {@link #NAMELESS_UID}, the client as root.
     */
    @Test
    void aClientAndAServerOfDifferentUidsTalkOnlyWhenEachAllowsTheOther() throws Exception {
        assumeOtherUids(false);
        Path shared = sharedWith(NAMELESS_UID);
        Path strict = shared.resolve("s/strict.sock");
        Path open = shared.resolve("s/open.sock");
        ChildJvm strictServer = contractPeerAs(NAMELESS_UID, shared, "receive", "uds:" + strict + "?listen=true");
        ChildJvm openServer = contractPeerAs(NAMELESS_UID, shared, "receive",
                "uds:" + open + "?listen=true&allowedUsers=" + NAMELESS_UID + ",root");
        strictServer.expect("OPEN");
        openServer.expect("OPEN");

        IOException serverNotAllowed = assertThrows(IOException.class,
                () -> Channels.openSend(URI.create("uds:" + open + "?timeout=5s"), Codec.utf8()));
        assertTrue(serverNotAllowed.getMessage().contains("runs as user '" + NAMELESS_UID + "', which is not allowed"),
                serverNotAllowed.getMessage());
        IOException clientNotAllowed = assertThrows(IOException.class,
                () -> Channels.openSend(URI.create("uds:" + strict + "?timeout=5s&allowedUsers=" + NAMELESS_UID), Codec.utf8()));
        assertTrue(clientNotAllowed.getMessage().contains("before its handshake") || clientNotAllowed.getMessage().contains("connection lost"),
                clientNotAllowed.getMessage());

        try (SendChannel<String> out = UnixChannels.connectSend(open, Codec.utf8(), StreamOptions.defaults(),
                Set.of(Integer.toString(NAMELESS_UID)))) {
            out.send("across users");
        }
        openServer.expect("GOT across users");
        assertFalse(strictServer.printed().stream().anyMatch(l -> l.startsWith("GOT")), strictServer.printed().toString());
    }

    /**
     * A client that may not open the socket file (EACCES: it is 0600 and another user's) fails at
     * once saying permission was denied, rather than retrying until its timeout and reporting that
     * no server accepted. Root bypasses file permissions, so the client runs as another uid.
     */
    @Test
    void aSocketThisUserMayNotOpenFailsAtOnceSayingPermissionDenied() throws Exception {
        assumeOtherUids(false);
        Path shared = sharedWith(0);
        Files.setPosixFilePermissions(shared.resolve("s"), PosixFilePermissions.fromString("rwxr-xr-x"));
        UnixServer<String> server = server(shared.resolve("s/guarded.sock"));
        long start = System.nanoTime();
        ChildJvm client = contractPeerAs(65534, shared, "send", "uds:" + server.path() + "?timeout=60s", "1");
        int exit = client.exitCode();
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        String printed = String.join("\n", client.printed());
        assertTrue(exit != 0, printed);
        assertTrue(printed.contains("AccessDeniedException: " + server.path() + ": permission denied connecting to this socket"), printed);
        assertTrue(seconds < 20, "the client took " + seconds + " s to give up on a socket it may not open");
        assertEquals(0, server.refusedClients());
    }
}
