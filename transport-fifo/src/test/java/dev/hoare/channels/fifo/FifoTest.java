package dev.hoare.channels.fifo;

import dev.hoare.channels.PeerLostException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.contract.ChildJvm;
import dev.hoare.channels.contract.NativeMemory;
import dev.hoare.channels.contract.SharedWriters;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the FIFO transport does beyond the contract: names, permissions, many writer processes, a shell writer. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FifoTest {
    @TempDir
    Path dir;
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : children) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private URI uri(String name, String options) {
        return URI.create("fifo:" + dir.resolve(name) + (options.isEmpty() ? "" : "?" + options));
    }

    private Process child(Class<?> main, String... args) throws IOException {
        ChildJvm child = ChildJvm.start(main, args);
        children.add(child.process());
        return child.process();
    }

    @Test
    void threeWriterProcessesShareOneFifoAndEveryMessageArrivesWholeOnceInOrder() throws Exception {
        SharedWriters.writerProcessesDeliverEveryMessageWholeOnceInOrder(uri("shared", "timeout=60s"), 3, 10_000, 65536);
    }

    /**
     * Values of 8 MiB go through the FIFO in reads and writes of 64 KiB. Given a heap array, the
     * JDK reads or writes through a native buffer as large as the array's part offered, and keeps
     * it for the thread: 8 MiB on the writing and on the reading thread, for the life of the end.
     * In a child JVM, to read its native memory ({@link LargeValueChild}).
     */
    @Test
    void largeValuesLeaveNoNativeBufferOfTheirSizeBehind() throws Exception {
        Path fifo = Fifos.create(dir.resolve("large").toString());
        try (ChildJvm child = ChildJvm.start(LargeValueChild.class, List.of("-XX:NativeMemoryTracking=summary"), fifo.toString())) {
            child.expect("received " + LargeValueChild.VALUES);
            long otherKb = NativeMemory.expectOtherKb(child);
            assertTrue(otherKb < 4 * 1024, "native memory tagged Other: " + otherKb + " KB; the child printed " + child.printed());
            assertEquals(0, child.exitCode());
        }
    }

    @Test
    void oneWriterClosingAndAnotherKilledEndsInPeerLostOnceBothAreGone() throws Exception {
        SharedWriters.oneWriterClosingAndAnotherKilledEndInPeerLost(uri("mixed", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "a/b", "..", ".hidden", "", "nul\0byte", "way-too-long-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void badNamesAreRefusedAndNothingIsCreated(String name) throws IOException {
        Path home = Fifos.directory();
        Set<Path> before = listing(home);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fifos.create(name));
        assertTrue(e.getMessage().contains("invalid FIFO name"), e.getMessage());
        assertEquals(before, listing(home));
        assertFalse(Files.exists(home.resolveSibling("escape")));
    }

    private static Set<Path> listing(Path d) throws IOException {
        try (var files = Files.list(d)) {
            return new HashSet<>(files.toList());
        }
    }

    @Test
    void fifosAreCreatedOwnerOnlyInAnOwnerOnlyDirectory() throws IOException {
        String name = "perm-" + ProcessHandle.current().pid();
        Path fifo = Fifos.create(name);
        try {
            assertEquals(Fifos.directory().resolve(name), fifo);
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(fifo));
            assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(Fifos.directory()));
            assertEquals(0010000, (int) Files.getAttribute(fifo, "unix:mode") & 0170000, "S_IFIFO");
            assertEquals(fifo, Fifos.create(name), "creating it again is fine");
        } finally {
            assertTrue(Fifos.remove(name));
        }
        assertFalse(Files.exists(fifo));
        assertFalse(Fifos.remove(name), "removing it again says there was none");
    }

    @Test
    void aFileThatIsNotAFifoIsRefusedAndLeftAlone() throws IOException {
        Path plain = Files.writeString(dir.resolve("plain"), "data");
        IOException e = assertThrows(IOException.class, () -> Channels.openReceive(uri("plain", "timeout=1s"), Codec.utf8()));
        assertTrue(e.getMessage().contains("not a FIFO"), e.getMessage());
        assertThrows(IOException.class, () -> Fifos.remove(plain.toString()));
        assertEquals("data", Files.readString(plain));
    }

    @Test
    void aFifoOpenToOthersIsRefused() throws IOException {
        Path fifo = Fifos.create(dir.resolve("wide").toString());
        Files.setPosixFilePermissions(fifo, PosixFilePermissions.fromString("rw-rw-rw-"));
        IOException e = assertThrows(IOException.class, () -> Channels.openSend(uri("wide", "timeout=1s"), Codec.utf8()));
        assertTrue(e.getMessage().contains("open to group or others"), e.getMessage());
    }

    @Test
    void aFifoOfAnotherUserIsRefused() throws IOException {
        Path fifo = Fifos.create(dir.resolve("theirs").toString());
        try {
            UserPrincipal nobody = fifo.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(fifo, nobody);
        } catch (IOException | UnsupportedOperationException cannotChown) {
            assumeTrue(false, "cannot give a file to another user here (not root): " + cannotChown);
        }
        IOException e = assertThrows(IOException.class, () -> Channels.openReceive(uri("theirs", "timeout=1s"), Codec.utf8()));
        assertTrue(e.getMessage().contains("belongs to uid"), e.getMessage());
    }

    @Test
    void openingWaitsForThePartnerOnlyUntilTheTimeout() {
        for (boolean send : new boolean[] {true, false}) {
            URI uri = uri("lonely-" + send, "timeout=300ms");
            long t0 = System.nanoTime();
            IOException e = assertThrows(IOException.class,
                    () -> {
                        if (send) {
                            Channels.openSend(uri, Codec.utf8());
                        } else {
                            Channels.openReceive(uri, Codec.utf8());
                        }
                    });
            long took = System.nanoTime() - t0;
            assertTrue(e.getMessage().contains(send ? "no reader opened" : "no writer opened"), e.getMessage());
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(300) && took < TimeUnit.SECONDS.toNanos(10), took + " ns");
        }
    }

    @Test
    void aShellWriterPrintingFrameBytesIsReadCorrectly() throws Exception {
        URI uri = uri("shell", "timeout=30s");
        Path fifo = Fifos.create(dir.resolve("shell").toString());
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        frames.write(FrameWriter.encode(Frame.hello("utf8", 1 << 20)));
        frames.write(FrameWriter.encode(Frame.data("héllo from sh".getBytes(StandardCharsets.UTF_8))));
        frames.write(FrameWriter.encode(Frame.data("second".getBytes(StandardCharsets.UTF_8))));
        frames.write(FrameWriter.encode(Frame.close()));
        StringBuilder octal = new StringBuilder();
        for (byte b : frames.toByteArray()) {
            octal.append(String.format("\\%03o", b & 0xff));
        }
        Process sh = new ProcessBuilder("sh", "-c", "printf '" + octal + "' > \"$1\"", "sh", fifo.toString())
                .redirectErrorStream(true).start();
        children.add(sh);
        try (ReceiveChannel<String> in = Channels.openReceive(uri, Codec.utf8())) {
            List<String> got = new ArrayList<>();
            in.forEach(got::add);
            assertEquals(List.of("héllo from sh", "second"), got);
        }
        assertTrue(sh.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, sh.exitValue(), new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void tryReceiveIsEmptyAtOnceWhileTheWriterIsSilent() throws Exception {
        URI uri = uri("quiet", "");
        CompletableFuture<SendChannel<String>> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openSend(uri, Codec.utf8());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (ReceiveChannel<String> in = Channels.openReceive(uri, Codec.utf8());
             SendChannel<String> out = opening.get(30, TimeUnit.SECONDS)) {
            long t0 = System.nanoTime();
            assertTrue(in.tryReceive().isEmpty());
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(100), "tryReceive waited");
            out.send("now");
            assertEquals("now", in.receive(Duration.ofSeconds(30)).orElseThrow());
        }
    }

    /**
     * A reader that opened the FIFO but does not read, a pipe filled by a first sender (here, in
     * another process or in this one) that now waits to write holding the writers' locks: a
     * second {@code openSend} gives up at its timeout, whichever step it waits in (the writers'
     * lock, or its HELLO into the full pipe), with an error saying why. It used to wait for ever.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void openSendGivesUpAtItsTimeoutWhenThePipeIsFull(boolean firstSenderInAnotherProcess) throws Exception {
        Path fifo = Fifos.create(dir.resolve("full").toString());
        jnr.posix.POSIX posix = jnr.posix.POSIXFactory.getNativePOSIX();
        int reader = posix.open(fifo.toString(), jnr.constants.platform.OpenFlags.O_RDONLY.intValue()
                | jnr.constants.platform.OpenFlags.O_NONBLOCK.intValue(), 0); // opened, and never read
        assertTrue(reader >= 0, "errno " + posix.errno());
        SendChannel<String> first = null;
        try {
            String filler = "x".repeat(1000);
            if (firstSenderInAnotherProcess) {
                ChildJvm child = ChildJvm.start(dev.hoare.channels.contract.ContractPeer.class, "stream",
                        uri("full", "capacity=1").toString());
                children.add(child.process());
                child.expect("OPEN");
            } else {
                first = Channels.openSend(uri("full", "capacity=1"), Codec.utf8());
                first.send(filler);
            }
            fillPipe(posix, fifo); // full now, whatever the first sender managed to write
            if (first != null) {
                first.send(filler); // its writer thread takes it and waits in write, holding the locks
            }

            long t0 = System.nanoTime();
            CompletableFuture<IOException> second = CompletableFuture.supplyAsync(() -> {
                try (SendChannel<String> s = Channels.openSend(uri("full", "timeout=1500ms"), Codec.utf8())) {
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            IOException e;
            try {
                e = second.get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException stuck) {
                throw new AssertionError("the second openSend, with a timeout of 1.5 s, was still blocked after 20 s");
            }
            long took = System.nanoTime() - t0;
            assertTrue(e != null, "the second openSend opened a sending end into a full pipe");
            assertTrue(e.getMessage().contains("full") && e.getMessage().contains("1.5 s"), e.getMessage());
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(1400) && took < TimeUnit.SECONDS.toNanos(5),
                    "gave up after " + took / 1_000_000 + " ms with a timeout of 1500 ms");
        } finally {
            posix.close(reader); // the writers' next write fails with EPIPE: they end
            if (first != null) {
                first.close();
            }
        }
    }

    /** Writes into the FIFO without blocking until the kernel takes no more: the pipe is full. */
    private static void fillPipe(jnr.posix.POSIX posix, Path fifo) {
        int fd = posix.open(fifo.toString(), jnr.constants.platform.OpenFlags.O_WRONLY.intValue()
                | jnr.constants.platform.OpenFlags.O_NONBLOCK.intValue(), 0);
        assertTrue(fd >= 0, "errno " + posix.errno());
        try {
            for (int size : new int[] {4096, 1}) {
                byte[] bytes = new byte[size];
                while (posix.write(fd, bytes, size) == size) {
                    // until EAGAIN
                }
            }
        } finally {
            posix.close(fd);
        }
    }

    /**
     * A FIFO has no return path: a reader that refuses a writer's HELLO (another codec here; a
     * maxFrame too large is the same) can only close its end. The writer learns it from its next
     * write (EPIPE), and its {@code PeerLostException} says that a mismatch is one possible reason.
     */
    @Test
    void aWriterRefusedForAMismatchIsToldItMayBeOne() throws Exception {
        URI uri = uri("mismatch", "timeout=10s");
        CompletableFuture<Exception> receiving = CompletableFuture.supplyAsync(() -> {
            try {
                Channels.openReceive(uri, Codec.utf8()).close();
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        try (SendChannel<byte[]> out = Channels.openSend(uri, Codec.bytes())) {
            Exception refused = receiving.get(30, TimeUnit.SECONDS);
            assertTrue(refused instanceof dev.hoare.channels.ChannelProtocolException, String.valueOf(refused));
            dev.hoare.channels.ChannelClosedException closed = assertThrows(dev.hoare.channels.ChannelClosedException.class, () -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline) {
                    out.send(new byte[] {1}, Duration.ofSeconds(1));
                }
            });
            assertTrue(closed.getCause() instanceof dev.hoare.channels.PeerLostException, String.valueOf(closed.getCause()));
            assertTrue(closed.getCause().getMessage().contains("codec or maxFrame mismatch"), closed.getCause().getMessage());
        }
    }
}
