package dev.hoare.channels.aeron;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * The Aeron clients of this JVM, one per media driver: the embedded drivers this JVM runs (one by
 * default, shared by every channel, started on first use and closed at exit; named ones beside it
 * with {@code driver=embedded:NAME}) and external drivers named by their directory
 * ({@code driver=/dev/shm/aeron-root}).
 *
 * <p>An embedded driver lives in {@code $TMP/hoare-aeron-USER/PID-NAME} ({@code /dev/shm} when it
 * exists), removed when the JVM exits; the directories of drivers whose JVM died without exiting
 * (SIGKILL) are removed by the next embedded driver to start.
 */
final class AeronDrivers {
    private static final System.Logger LOG = System.getLogger(AeronDrivers.class.getName());
    /** The idle strategy of the embedded driver and of the links' polling threads: {@code -Dhoare.aeron.idle}. */
    static final String IDLE_PROPERTY = "hoare.aeron.idle";
    /** How long an embedded driver keeps an image of a silent sender: {@code -Dhoare.aeron.imageLiveness} (a duration). */
    static final String IMAGE_LIVENESS_PROPERTY = "hoare.aeron.imageLiveness";
    private static final Map<String, Client> CLIENTS = new HashMap<>();
    /**
     * Sending links whose CLOSE is written and whose receiver has not closed its side yet: at exit,
     * the drivers stay up until these are done (at most {@link #EXIT_LINGER}), since values in
     * Aeron's buffers need their driver until the receiver has them.
     */
    static final java.util.Set<Object> CLOSING = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The longest the exit waits for {@link #CLOSING} links. */
    private static final Duration EXIT_LINGER = Duration.ofSeconds(10);
    /** Aeron's threads are daemons: the JVM may exit when the application's threads end (the shutdown hook then closes Aeron). */
    private static final java.util.concurrent.ThreadFactory DAEMONS = r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    };
    private static Consumer<MediaDriver.Context> customizer = c -> { };
    private static boolean hooked;

    private AeronDrivers() {
    }

    /** An Aeron client and, for an embedded driver, the driver. */
    record Client(Aeron aeron, MediaDriver driver, String directory) {
        void close() {
            aeron.close();
            if (driver != null) {
                driver.close();
            }
        }
    }

    /** See {@link AeronTransport#configureEmbeddedDrivers}. */
    static synchronized void customize(Consumer<MediaDriver.Context> c) {
        customizer = customizer.andThen(c);
    }

    /**
     * @param driver {@code embedded}, {@code embedded:NAME} or an external driver's directory
     * @return the client of that driver, started (with the driver, if embedded) on first use
     */
    static synchronized Client client(String driver) throws IOException {
        Client c = CLIENTS.get(driver);
        if (c != null && !c.aeron().isClosed()) {
            return c;
        }
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(AeronDrivers::atExit, "hoare-aeron-shutdown"));
        }
        try {
            c = driver.equals("embedded") || driver.startsWith("embedded:") ? embedded(driver) : external(driver);
        } catch (RuntimeException e) {
            throw new IOException("cannot start the Aeron client of driver " + driver + ": " + e, e);
        }
        CLIENTS.put(driver, c);
        return c;
    }

    private static Client embedded(String name) throws IOException {
        Path base = privateDirectory(baseDirectory());
        removeDeadDrivers(base);
        String suffix = name.equals("embedded") ? "" : "-" + name.substring("embedded:".length()).replaceAll("[^A-Za-z0-9_.-]", "_");
        Path dir = base.resolve(ProcessHandle.current().pid() + suffix);
        MediaDriver.Context ctx = new MediaDriver.Context()
                .aeronDirectoryName(dir.toString())
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .termBufferSparseFile(true)
                .threadingMode(ThreadingMode.SHARED)
                .sharedThreadFactory(DAEMONS)
                .conductorThreadFactory(DAEMONS)
                .senderThreadFactory(DAEMONS)
                .receiverThreadFactory(DAEMONS)
                .sharedNetworkThreadFactory(DAEMONS)
                .asyncExecutorThreadFactory(DAEMONS)
                .sharedIdleStrategy(idleStrategy())
                .imageLivenessTimeoutNs(imageLiveness().toNanos())
                .publicationTermBufferLength(AeronTransport.DEFAULT_TERM_LENGTH)
                .ipcTermBufferLength(AeronTransport.DEFAULT_TERM_LENGTH)
                // DEBUG: what reaches a channel (a refused registration, a lost peer) is that channel's exception
                .errorHandler(e -> LOG.log(System.Logger.Level.DEBUG, "Aeron media driver " + name + ": " + e));
        customizer.accept(ctx);
        MediaDriver driver = MediaDriver.launch(ctx);
        try {
            return new Client(connect(driver.aeronDirectoryName()), driver, driver.aeronDirectoryName());
        } catch (RuntimeException e) {
            driver.close();
            throw e;
        }
    }

    private static Client external(String directory) {
        if (!Path.of(directory).isAbsolute()) {
            throw new IllegalArgumentException("driver=" + directory + " must be embedded, embedded:NAME or an external media"
                    + " driver's absolute directory, such as /dev/shm/aeron-root");
        }
        return new Client(connect(directory), null, directory);
    }

    private static Aeron connect(String directory) {
        return Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(directory)
                .clientLock(new java.util.concurrent.locks.ReentrantLock())
                .threadFactory(DAEMONS)
                .errorHandler(e -> LOG.log(System.Logger.Level.DEBUG, "Aeron client: " + e))
                .idleStrategy(new SleepingMillisIdleStrategy(1)));
    }

    /** Makes {@code dir} owner-only (0700), or refuses it if it is another user's or open to others. */
    private static Path privateDirectory(Path dir) throws IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> owner = java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");
        try {
            Files.createDirectory(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(owner));
        } catch (java.nio.file.FileAlreadyExistsException exists) {
            // checked below
        }
        // by uid (this process's, from /proc/self), never by name: a uid may have no passwd entry in a container
        long me = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        long uid = ((Number) Files.getAttribute(dir, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).longValue();
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS) || uid != me) {
            throw new IOException(dir + " is not a directory of uid " + me + ": refused as the embedded Aeron driver's home");
        }
        if (!Files.getPosixFilePermissions(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS).equals(owner)) {
            Files.setPosixFilePermissions(dir, owner);
        }
        return dir;
    }

    /** {@code hoare-aeron-USER} under /dev/shm (or the temporary directory without it). */
    private static Path baseDirectory() {
        Path shm = Path.of("/dev/shm");
        Path root = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        return root.resolve("hoare-aeron-" + System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_"));
    }

    /** Removes the directories of embedded drivers whose JVM is gone (named by its pid). */
    private static void removeDeadDrivers(Path base) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base)) {
            for (Path d : dirs) {
                String n = d.getFileName().toString();
                int dash = n.indexOf('-');
                try {
                    long pid = Long.parseLong(dash < 0 ? n : n.substring(0, dash));
                    if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
                        deleteTree(d);
                    }
                } catch (NumberFormatException notOurs) {
                    // leave it
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not clean " + base + ": " + e);
        }
    }

    private static void deleteTree(Path d) throws IOException {
        try (var walk = Files.walk(d)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** @return a fresh idle strategy as {@code -Dhoare.aeron.idle} says: {@code backoff} (default), {@code yield}, {@code spin} or {@code sleep} */
    static IdleStrategy idleStrategy() {
        String v = System.getProperty(IDLE_PROPERTY, "backoff");
        return switch (v) {
            case "backoff" -> new BackoffIdleStrategy(64, 64, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
            case "yield" -> new YieldingIdleStrategy();
            case "spin" -> new BusySpinIdleStrategy();
            case "sleep" -> new SleepingMillisIdleStrategy(1);
            default -> throw new IllegalArgumentException("-D" + IDLE_PROPERTY + "=" + v + " must be backoff, yield, spin or sleep");
        };
    }

    /** @return {@code -Dhoare.aeron.imageLiveness}, default 5 s */
    static Duration imageLiveness() {
        String v = System.getProperty(IMAGE_LIVENESS_PROPERTY);
        return v == null ? Duration.ofSeconds(5) : dev.hoare.channels.spi.Endpoint.parseDuration(v);
    }

    /** At exit: waits (at most {@link #EXIT_LINGER}) for closing sending links, then closes every client and driver. */
    private static void atExit() {
        long deadline = System.nanoTime() + EXIT_LINGER.toNanos();
        while (!CLOSING.isEmpty() && System.nanoTime() - deadline < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        if (!CLOSING.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "exiting with " + CLOSING.size() + " aeron: channel(s) whose receiver has not"
                    + " read the close within " + dev.hoare.channels.spi.Endpoint.formatDuration(EXIT_LINGER) + ": " + CLOSING);
        }
        closeAll();
    }

    /** Closes every client and embedded driver. */
    static synchronized void closeAll() {
        for (Client c : CLIENTS.values()) {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing Aeron: " + e);
            }
        }
        CLIENTS.clear();
    }
}
