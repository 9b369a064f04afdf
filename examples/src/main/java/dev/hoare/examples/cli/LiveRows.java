package dev.hoare.examples.cli;

import dev.hoare.channels.ChannelStats;
import dev.hoare.channels.Counters;
import dev.hoare.channels.shm.ShmRing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link TopSources#live()}: every channel of this user on this machine, from three places.
 * <ol>
 *   <li>Counters files ({@link Counters#read()}): each named channel end of each process that
 *       publishes them, with all its counts; a dead process's rows have {@code alive = false}.</li>
 *   <li>Shared-memory rings (the {@code hoare ls} scan): the ring header's depth and capacity
 *       <em>in bytes</em>, the reader's pid and liveness, the writers mapping the ring as peers.</li>
 *   <li>Unix sockets and FIFOs (the {@code hoare ls} scan): the listening process, one peer per
 *       connection, and, if the server publishes counters, its {@code uds:PATH} receiving end's
 *       counts merged in (the server is then the process publishing that end, and the connections
 *       its {@code links}; without counters, {@code /proc/net/unix}'s connected sockets bound at
 *       the path). A client's pid is known only if the client publishes counters too (a row named
 *       {@code uds:PATH}); otherwise the peer's pid is {@link TopRow#UNKNOWN}.</li>
 * </ol>
 * Synchronization files (semaphores, mutexes, events, shared data) are rows too: owner, the
 * processes mapping them, and a semaphore's permits in use against its permits.
 * Whatever a source cannot know is {@link TopRow#UNKNOWN}. A sample reads {@code /proc} once and
 * each file once; it never blocks on a channel.
 */
final class LiveRows implements TopSource {
    private static final long U = TopRow.UNKNOWN;

    @Override
    public List<TopRow> sample() throws IOException {
        List<Counters.Process> processes = Counters.read();
        // uds:PATH rows of processes that publish counters, by name: merged into socket rows
        Map<String, List<Published>> byAddress = new HashMap<>();
        for (Counters.Process p : processes) {
            for (ChannelStats s : p.channels()) {
                byAddress.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(new Published(p, s));
            }
        }
        Set<Published> merged = new HashSet<>();
        List<TopRow> rows = new ArrayList<>();
        Map<String, Integer> connections = connectedSockets();
        for (Entry e : LsCommand.list(LsCommand.defaultDirectories())) {
            TopRow row = switch (e.kind()) {
                case "shm" -> ring(e);
                case "socket" -> socket(e, connections, byAddress, merged);
                case "fifo" -> new TopRow(e.path().getFileName().toString(), "fifo", first(e.holders()), !e.holders().isEmpty(),
                        U, U, U, U, U, U, peers(e.holders(), first(e.holders())));
                case "semaphore", "mutex", "event", "data" -> sync(e);
                default -> null;
            };
            if (row != null) {
                rows.add(row);
            }
        }
        for (Counters.Process p : processes) {
            for (ChannelStats s : p.channels()) {
                if (!merged.contains(new Published(p, s))) {
                    rows.add(row(p, s));
                }
            }
        }
        return rows;
    }

    /** One counters-file row of a process that publishes. */
    private record Published(Counters.Process process, ChannelStats stats) {
    }

    static TopRow row(Counters.Process p, ChannelStats s) {
        List<TopRow.Peer> peers = s.peerPid() > 0
                ? List.of(new TopRow.Peer(s.peerPid(), s.peerAlive() == 1 && ProcessHandle.of(s.peerPid()).map(ProcessHandle::isAlive).orElse(false)))
                : List.of();
        return new TopRow(s.name(), s.transport(), p.pid(), p.alive(), s.depth(), s.capacity(), s.sent(), s.received(),
                s.blockedSenders(), s.blockedReceivers(), peers);
    }

    private static TopRow ring(Entry e) {
        try (ShmRing ring = ShmRing.open(e.path())) {
            long reader = ring.consumerPid();
            return new TopRow(e.path().getFileName().toString(), "shm", reader == 0 ? U : reader, ring.consumerAlive(),
                    ring.depth(), ring.capacity(), U, U, U, U, peers(e.holders(), reader));
        } catch (IOException | RuntimeException gone) {
            return null; // removed or replaced since the scan
        }
    }

    private static TopRow socket(Entry e, Map<String, Integer> connections, Map<String, List<Published>> byAddress,
            Set<Published> merged) {
        String path = e.path().toAbsolutePath().toString();
        String name = "uds:" + path;
        List<Published> published = byAddress.getOrDefault(name, List.of());
        // The server: the process holding the socket, or else (a Hoare server binds at a private
        // path and renames the socket into place, so /proc/net/unix shows another path) the process
        // whose receiving end (one that counts values received) has this address.
        long server = first(e.holders());
        Published own = null;
        for (Published p : published) {
            boolean receiving = p.stats().received() != U;
            if (receiving && (server == U ? own == null || p.process().alive() : p.process().pid() == server)) {
                own = p;
            }
        }
        if (own != null) {
            server = own.process().pid();
            merged.add(own);
        }
        List<TopRow.Peer> peers = new ArrayList<>();
        for (Published p : published) {
            if (p != own && p.process().pid() != server) {
                peers.add(new TopRow.Peer(p.process().pid(), p.process().alive())); // a client that publishes
            }
        }
        long connected = Math.max(connections.getOrDefault(path, 0), own == null ? 0 : own.stats().links());
        while (peers.size() < connected) {
            peers.add(new TopRow.Peer(U, true)); // a client that publishes no counters: connected, pid unknown
        }
        if (own == null) {
            return new TopRow(name, "uds", server, !e.holders().isEmpty(), U, U, U, U, U, U, peers);
        }
        ChannelStats s = own.stats();
        return new TopRow(name, "uds", server, own.process().alive(), s.depth(), s.capacity(), s.sent(), s.received(),
                s.blockedSenders(), s.blockedReceivers(), peers);
    }

    /**
     * A synchronization file (module channels-sync), as {@link dev.hoare.sync.SyncFiles#describe}
     * reads it: its owner (a mutex's or shared data's locker), the processes mapping it as peers, a
     * semaphore's permits in use (a mutex's 1 if locked) against its permits (1) as depth and
     * capacity, and the threads waiting in it as blocked receivers.
     */
    private static TopRow sync(Entry e) {
        long owner = e.owner() == null ? U : e.owner();
        long depth = U;
        long capacity = U;
        long waiting = U;
        try {
            var d = dev.hoare.sync.SyncFiles.describe(e.path());
            if (d.isPresent()) {
                depth = d.get().inUse();
                capacity = d.get().capacity();
                waiting = d.get().waiting();
            }
        } catch (IOException | RuntimeException goneMeanwhile) {
            // removed since ls listed it: what ls saw stands
        }
        return new TopRow(e.path().getFileName().toString(), e.kind(), owner, owner == U ? e.inUse() : e.ownerAlive(),
                depth, capacity, U, U, U, waiting, peers(e.holders(), owner));
    }

    /**
     * @return for each Unix socket path, how many connected sockets are bound at it: a server's
     *     accepted connections ({@code /proc/net/unix}, state 3: connected); empty without /proc
     */
    static Map<String, Integer> connectedSockets() {
        Map<String, Integer> counts = new HashMap<>();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/unix"));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 8 && f[5].equals("03")) {
                    counts.merge(f[7], 1, Integer::sum);
                }
            }
        } catch (IOException | RuntimeException noProc) {
            // not Linux: connections unknown
        }
        return counts;
    }

    private static long first(Set<Long> pids) {
        return pids.isEmpty() ? U : pids.iterator().next();
    }

    private static List<TopRow.Peer> peers(Set<Long> holders, long owner) {
        List<TopRow.Peer> peers = new ArrayList<>();
        for (long pid : holders) {
            if (pid != owner) {
                peers.add(new TopRow.Peer(pid, ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
            }
        }
        return peers;
    }
}
