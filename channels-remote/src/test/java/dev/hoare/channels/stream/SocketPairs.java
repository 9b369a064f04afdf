package dev.hoare.channels.stream;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Two connected Unix sockets for a test (its socket file is gone once they are connected). */
final class SocketPairs {
    private SocketPairs() {
    }

    /**
     * @param toClose where the two sockets are added, for the test to close
     * @return the connecting end and the accepted end
     */
    static SocketChannel[] open(List<AutoCloseable> toClose) throws IOException {
        Path dir = Files.createTempDirectory("hoare-socket-pair");
        Path path = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            SocketChannel a = SocketChannel.open(UnixDomainSocketAddress.of(path));
            SocketChannel b = server.accept();
            toClose.add(a);
            toClose.add(b);
            return new SocketChannel[] {a, b};
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    /** Waits until the thread is blocked (waiting in a receive), failing after {@code deadline}. */
    static void awaitWaiting(Thread t, java.time.Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            Thread.State state = t.getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                    || state == Thread.State.RUNNABLE && inSelect(t)) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("the receiving thread never waited: " + state);
            }
            Thread.sleep(1); // polling the thread's state, with a deadline
        }
    }

    /** A thread in a selector shows as RUNNABLE: its stack says whether it waits there. */
    private static boolean inSelect(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getMethodName().contains("doSelect") || e.getMethodName().equals("poll")) {
                return true;
            }
        }
        return false;
    }
}
