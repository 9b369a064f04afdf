package dev.hoare.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hoare.channels.Codec;
import dev.hoare.channels.Counters;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.fifo.Fifos;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.shm.ShmRing;
import dev.hoare.channels.shm.Shms;
import dev.hoare.channels.uds.UnixChannels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TopSources#live()} sees, in another JVM: a live shm ring with its depth and reader, a
 * {@code uds:} server with two clients and what they sent, and named in-process channels with
 * their depth and blocked senders and receivers.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TopSourcesLiveTest {

    static TopRow awaitRow(String transport, String name, long pid, Predicate<TopRow> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<TopRow> rows = List.of();
        for (;;) {
            rows = TopSources.live().sample();
            Optional<TopRow> row = rows.stream()
                    .filter(r -> r.transport().equals(transport) && r.name().equals(name) && r.pid() == pid).findFirst();
            if (row.isPresent() && until.test(row.get())) {
                return row.get();
            }
            if (System.nanoTime() > deadline) {
                fail("no " + transport + " row " + name + " of " + pid + " as wanted; rows: " + rows);
            }
            Thread.sleep(50);
        }
    }

    /**
     * Another JVM ({@link TopChild}) holding a live shm ring with three records, a {@code uds:}
     * server of capacity 4, a full named channel ({@code nonce}, capacity 4, one sender blocked)
     * and a named rendezvous ({@code nonce-rv}, two receivers blocked); {@link #connectTwoClients}
     * connects two clients of this JVM (which publishes its counters too) that send two values each.
     */
    static final class Child implements AutoCloseable {
        final String nonce = "top" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 1_000_000;
        final Path ringPath;
        final Path sock;
        final String address;
        final List<SendChannel<String>> clients = new ArrayList<>();
        Process process;
        long pid;

        private Child() throws IOException {
            ringPath = Shms.directory().resolve(nonce + ".ring");
            sock = Fifos.directory().resolve(nonce + ".sock");
            address = "uds:" + sock.toAbsolutePath();
        }

        static Child start() throws Exception {
            Child c = new Child();
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    TopChild.class.getName(), c.ringPath.toString(), c.sock.toString(), c.nonce));
            c.process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(c.process.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
                    System.err.println("child: " + line);
                }
                assertTrue(line != null, "the child ended before READY");
                c.pid = Long.parseLong(line.substring("READY ".length()).trim());
                assertEquals(c.process.pid(), c.pid);
                return c;
            } catch (Exception | AssertionError e) {
                c.close();
                throw e;
            }
        }

        void connectTwoClients() throws Exception {
            Counters.publish();
            StreamOptions options = StreamOptions.defaults();
            for (int i = 0; i < 2; i++) {
                SendChannel<String> client = UnixChannels.connectSend(sock, Codec.utf8(), options);
                clients.add(client);
                client.send("a" + i);
                client.send("b" + i);
            }
        }

        long ringDepth() throws Exception {
            try (ShmRing ring = ShmRing.open(ringPath)) {
                return ring.depth();
            }
        }

        @Override
        public void close() throws Exception {
            for (SendChannel<String> c : clients) {
                c.close();
            }
            if (process != null) {
                process.getOutputStream().close();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            Files.deleteIfExists(ringPath);
            Files.deleteIfExists(sock);
        }
    }

    @Test
    void liveRowsShowARingAServerWithTwoClientsAndBlockedChannelsInAnotherJvm() throws Exception {
        try (Child child = Child.start()) {
            String nonce = child.nonce;
            long pid = child.pid;

            // the in-process channels, from the child's counters file
            TopRow full = awaitRow("inproc", nonce, pid, r -> r.blockedSenders() == 1);
            assertEquals(4, full.depth());
            assertEquals(4, full.capacity());
            assertEquals(4, full.sent());
            assertEquals(0, full.received());
            assertEquals(0, full.blockedReceivers());
            assertTrue(full.alive());
            TopRow rv = awaitRow("inproc", nonce + "-rv", pid, r -> r.blockedReceivers() == 2);
            assertEquals(0, rv.depth());
            assertEquals(0, rv.capacity());
            assertEquals(0, rv.blockedSenders());

            // the ring, from its header
            long ringDepth = child.ringDepth();
            assertTrue(ringDepth >= 300, "three records of 100 bytes: " + ringDepth);
            TopRow ringRow = awaitRow("shm", child.ringPath.getFileName().toString(), pid, r -> true);
            assertEquals(ringDepth, ringRow.depth());
            assertEquals(4096, ringRow.capacity());
            assertTrue(ringRow.alive(), "its reader is alive");

            // the server, with two clients of this JVM (which publishes too, so their pids are known)
            child.connectTwoClients();
            TopRow server = awaitRow("uds", child.address, pid, r -> r.sent() == 4 && r.peers().size() == 2
                    && r.peers().stream().allMatch(p -> p.pid() == ProcessHandle.current().pid() && p.alive()));
            assertEquals(4, server.depth(), "nobody took the four values: " + server);
            assertEquals(0, server.received());
            assertEquals(4, server.capacity());
            assertTrue(server.alive());
            // each client's own row, in this process's file
            for (TopRow r : TopSources.live().sample()) {
                if (r.name().equals(child.address) && r.pid() == ProcessHandle.current().pid()) {
                    assertEquals(2, r.sent(), r.toString());
                }
            }
        }
    }

    @Test
    void liveRowsShowSynchronizationFiles() throws Exception {
        String suffix = Long.toHexString(System.nanoTime());
        String sem = "top-sem-" + suffix;
        String mutex = "top-mutex-" + suffix;
        long pid = ProcessHandle.current().pid();
        try (dev.hoare.sync.Semaphore s = new dev.hoare.sync.Semaphore(sem, 3); dev.hoare.sync.Mutex m = new dev.hoare.sync.Mutex(mutex)) {
            s.acquire();
            s.acquire();
            m.lock();
            List<TopRow> rows = TopSources.live().sample();
            TopRow semaphore = rows.stream().filter(r -> r.name().equals(sem)).findFirst().orElseThrow(() -> new AssertionError(rows));
            assertEquals("semaphore", semaphore.transport());
            assertEquals(2, semaphore.depth(), "permits in use");
            assertEquals(3, semaphore.capacity());
            TopRow locked = rows.stream().filter(r -> r.name().equals(mutex)).findFirst().orElseThrow(() -> new AssertionError(rows));
            assertEquals("mutex", locked.transport());
            assertEquals(pid, locked.pid(), "its locker");
            assertTrue(locked.alive());
            assertEquals(0, semaphore.blockedReceivers(), "nobody waits yet");
            assertEquals(1, locked.depth(), "locked");
            assertEquals(1, locked.capacity());

            // a thread that takes the last permit and then waits for another is counted as waiting
            Thread taker = Thread.ofPlatform().start(() -> {
                try {
                    s.acquire();
                    s.acquire();
                    s.release();
                    s.release();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            TopRow waited;
            do {
                waited = TopSources.live().sample().stream().filter(r -> r.name().equals(sem)).findFirst().orElseThrow();
                assertTrue(System.nanoTime() < deadline, "the taker never showed as waiting: " + waited);
                Thread.sleep(20);
            } while (waited.blockedReceivers() != 1);
            assertEquals(3, waited.depth(), "all three permits taken");
            m.unlock();
            s.release();
            s.release();
            taker.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(taker.isAlive(), "the taker got its permit back");
        } finally {
            Files.deleteIfExists(Shms.path(sem));
            Files.deleteIfExists(Shms.path(mutex));
        }
    }
}
