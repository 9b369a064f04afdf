package dev.hoare.examples.cli;

import dev.hoare.channels.fifo.Fifos;
import dev.hoare.channels.shm.Shms;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The channels a tour or a benchmark makes on one transport ({@code fifo}, {@code uds},
 * {@code shm} or {@code aeron}): names of this process's own, and every file removed at the end —
 * the per-user directories too if they were made here and are left empty.
 *
 * <p>On {@code aeron} a channel is a UDP port of loopback, free when first named (a socket bound
 * to port 0, closed at once: another program may take it meanwhile, which then fails the
 * opening), stream {@value #AERON_STREAM}; its receiver takes one sender ({@code senders=one}),
 * so that the sender's close ends it, as on the other transports. Nothing is left to remove:
 * each JVM's embedded media driver removes its directory at exit.
 */
public final class Scratch implements AutoCloseable {
    /** The Aeron stream id of the aeron channels. */
    static final int AERON_STREAM = 10;
    private final String transport;
    private final String prefix;
    private final List<String> names = new ArrayList<>();
    private final List<Path> madeDirectories = new ArrayList<>();
    private Path socketDirectory;
    /** The loopback UDP port of each aeron channel, by name. */
    private final java.util.Map<String, Integer> ports = new java.util.HashMap<>();
    /** On aeron: Aeron channel parameters the values' size needs ({@code &term-length=16m}), or "". */
    private final String aeronParams;

    /**
     * @param transport fifo, uds, shm or aeron
     * @param tag a word in the names, for whoever lists them meanwhile
     * @throws IllegalArgumentException for another transport
     */
    public Scratch(String transport, String tag) {
        this(transport, tag, 0);
    }

    /**
     * @param transport fifo, uds, shm or aeron
     * @param tag a word in the names, for whoever lists them meanwhile
     * @param largestValue the most bytes one value takes (a benchmark's message): on aeron, values
     *     over 256 KiB get a term length of 16 MiB, whose messages hold up to 2 MiB (the default
     *     4 MiB term's hold 512 KiB); other transports take 16 MiB frames as they are
     * @throws IllegalArgumentException for another transport
     */
    public Scratch(String transport, String tag, int largestValue) {
        if (!List.of("fifo", "uds", "shm", "aeron").contains(transport)) {
            throw new IllegalArgumentException("unknown transport '" + transport + "': fifo, uds, shm or aeron");
        }
        this.transport = transport;
        this.prefix = "hoare-" + tag + "-" + ProcessHandle.current().pid() + "-";
        this.aeronParams = largestValue > 256 << 10 ? "&term-length=16m" : "";
    }

    /** @return the URI the receiving side of channel {@code name} opens (a Unix socket or an Aeron channel: for one sender) */
    public URI receiving(String name) throws IOException {
        return uri(name, "?listen=one&timeout=30s");
    }

    /** @return the URI the sending side of channel {@code name} opens */
    public URI sending(String name) throws IOException {
        return uri(name, "?timeout=30s");
    }

    private URI uri(String name, String options) throws IOException {
        if (!names.contains(name)) {
            names.add(name);
            rememberDirectory();
        }
        return switch (transport) {
            case "uds" -> URI.create("uds:" + socketDirectory().resolve(name + ".sock") + options);
            case "shm" -> URI.create("shm:" + prefix + name + options.replace("listen=one&", ""));
            case "aeron" -> URI.create("aeron:udp?endpoint=127.0.0.1:" + port(name) + "&stream=" + AERON_STREAM + aeronParams + "&"
                    + options.substring(1).replace("listen=one", "senders=one"));
            default -> URI.create("fifo:" + prefix + name + options.replace("listen=one&", ""));
        };
    }

    /** The loopback UDP port of aeron channel {@code name}: one free now, the same for every later call. */
    private int port(String name) throws IOException {
        Integer p = ports.get(name);
        if (p == null) {
            try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
                p = probe.getLocalPort();
            }
            ports.put(name, p);
        }
        return p;
    }

    /** Notes the transport's per-user directory (made now if missing) as ours when it is empty. */
    private void rememberDirectory() throws IOException {
        Path dir = switch (transport) {
            case "fifo" -> Fifos.directory();
            case "shm" -> Shms.directory();
            default -> null;
        };
        if (dir != null && !madeDirectories.contains(dir) && isEmpty(dir)) {
            madeDirectories.add(dir); // empty now: ours to remove if empty at the end
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isEmpty();
        }
    }

    private Path socketDirectory() throws IOException {
        if (socketDirectory == null) {
            socketDirectory = Files.createTempDirectory(prefix);
        }
        return socketDirectory;
    }

    /** Removes every file made for these channels. */
    @Override
    public void close() throws IOException {
        for (String name : names) {
            switch (transport) {
                case "fifo" -> Fifos.remove(prefix + name);
                case "shm" -> Shms.remove(prefix + name);
                default -> { }
            }
        }
        if (socketDirectory != null) {
            try (Stream<Path> all = Files.walk(socketDirectory)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        for (Path dir : madeDirectories) {
            if (Files.isDirectory(dir) && isEmpty(dir)) {
                Files.deleteIfExists(dir);
            }
        }
    }
}
