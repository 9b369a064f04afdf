package dev.hoare.examples.cli;

import java.util.List;

/**
 * Made-up channels for {@code hoare top --source=demo} (hidden: for the pseudo-terminal test and the
 * sample in docs/observability.md): five rows whose counts grow at fixed rates with the time since
 * the source was made, and whose depths move, so that two samples give real rates. Nothing here is
 * read from the machine; the pids other than this process's are invented.
 */
final class TopDemo implements TopSource {
    private final long start = System.nanoTime();
    private final long self = ProcessHandle.current().pid();

    @Override
    public List<TopRow> sample() {
        double t = (System.nanoTime() - start) / 1e9;
        long ordersIn = (long) (1200 * t);
        long ordersDepth = Math.round(32 + 28 * Math.sin(t));
        long pricesIn = (long) (250_000 * t);
        long quotesIn = (long) (80 * t);
        return List.of(
                new TopRow("orders", "inproc", self, true, ordersDepth, 64, ordersIn + ordersDepth, ordersIn, 0, 0, List.of()),
                new TopRow("shm:/dev/shm/hoare-prices", "shm", self, true, 1024, 16384, pricesIn + 1024, pricesIn, 0, 0,
                        List.of(new TopRow.Peer(self + 1, true))),
                new TopRow("uds:/run/user/1000/hoare/quotes", "uds", self, true, 3, 64, quotesIn + 3, quotesIn, 1, 0,
                        List.of(new TopRow.Peer(self + 2, true), new TopRow.Peer(self + 3, false))),
                new TopRow("jobs", "inproc", self, true, 8, 8, 8, 0, 3, 0, List.of()),
                new TopRow("fifo:/run/user/1000/hoare/log", "fifo", self + 4, false, 0, 64, 500, 500, 0, 0, List.of()));
    }
}
