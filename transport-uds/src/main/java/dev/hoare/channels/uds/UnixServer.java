package dev.hoare.channels.uds;

import dev.hoare.channels.Codec;
import dev.hoare.channels.ForwardingReceiveChannel;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.link.Links;
import dev.hoare.channels.link.StreamOptions;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Unix-socket server: accepts any number of clients and fans what they send into one channel
 * ({@link #channel()}), each client with its own credits (never more than the capacity ahead of
 * the application). Clients of users not allowed are closed at once and logged, never served.
 * Closing the server (or its channel) stops accepting, removes the socket file and tells every
 * client the channel is closed.
 *
 * @param <T> the value type
 */
public final class UnixServer<T> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UnixServer.class.getName());
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path path;
    private final ServerSocketChannel server;
    /** What the application receives: the fanned-in values, or the accepted connections. */
    private final ReceiveChannel<T> inner;
    /** What is done with each allowed client's socket. */
    private final ClientHandler handler;
    private final Options options;
    /** {@link Options#allowedUsers}, resolved once to principals (compared by uid). */
    private final Set<java.nio.file.attribute.UserPrincipal> allowed;
    private final ReceiveChannel<T> channel;
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean closed;

    /**
     * How a server runs.
     *
     * @param stream capacity per client, frame size, handshake timeout
     * @param allowedUsers the users whose processes may connect: user names, or numeric uids (a number
     *     that is no user's name is a uid, as {@code chown} takes it; a uid need not have a passwd entry).
     *     Checked with {@code SO_PEERCRED} and compared by uid, never by name. It replaces the default
     *     (this process's own user): include that user to keep it
     */
    public record Options(StreamOptions stream, Set<String> allowedUsers) {
        /** Copies the allowed users (an immutable set). */
        public Options {
            Objects.requireNonNull(stream, "stream");
            allowedUsers = Set.copyOf(allowedUsers);
        }

        /**
         * @return the defaults: {@link StreamOptions#defaults()}, only this process's user (its
         *     effective uid; its name, or the uid if it has no passwd entry)
         */
        public static Options defaults() {
            return new Options(StreamOptions.defaults(), Set.of(PeerCheck.currentUserName()));
        }

        /**
         * @param value stream options
         * @return a copy with them
         */
        public Options withStream(StreamOptions value) {
            return new Options(value, allowedUsers);
        }

        /**
         * @param users the allowed users: names or numeric uids (see {@link #allowedUsers}); they
         *     replace the default, this process's own user
         * @return a copy with them
         */
        public Options withAllowedUsers(Set<String> users) {
            return new Options(stream, users);
        }
    }

    /** Takes an allowed client's connected socket (and owns it from then on). */
    @FunctionalInterface
    interface ClientHandler {
        void take(SocketChannel client) throws IOException;
    }

    private UnixServer(Path path, ServerSocketChannel server, ReceiveChannel<T> inner, ClientHandler handler, Options options,
            Set<java.nio.file.attribute.UserPrincipal> allowed) {
        this.path = path;
        this.server = server;
        this.inner = inner;
        this.handler = handler;
        this.options = options;
        this.allowed = allowed;
        this.channel = new ForwardingReceiveChannel<>(inner) {
            @Override
            public void close() {
                UnixServer.this.close();
            }

            @Override
            public void cancel(Throwable cause) {
                stop();
                super.cancel(cause);
            }

            @Override
            public String toString() {
                return "uds:" + UnixServer.this.path + " " + delegate();
            }
        };
    }

    static <T> UnixServer<T> start(Path requested, Codec<T> codec, Options options) throws IOException {
        Path path = requested.toAbsolutePath().normalize();
        StreamChannels.FanIn<T> fanIn = StreamChannels.fanIn(codec, options.stream());
        return start(path, fanIn.channel(), client -> fanIn.attach(Links.socket(client, "uds:" + path + " client")), options);
    }

    /**
     * A server whose channel receives each client as a connection: a channel each way over its
     * socket (requests in, responses out). The handshake of each runs on its own virtual thread;
     * at most 16 handshaken connections wait to be received, then accepting waits.
     */
    static <Q, A> UnixServer<StreamChannels.Duplex<A, Q>> startConnections(Path requested, Codec<Q> requestCodec,
            Codec<A> responseCodec, Options options) throws IOException {
        Path path = requested.toAbsolutePath().normalize();
        dev.hoare.channels.Channel<StreamChannels.Duplex<A, Q>> accepted = dev.hoare.channels.Channel.<StreamChannels.Duplex<A, Q>>builder()
                .capacity(16).onUndelivered(StreamChannels.Duplex::close).build();
        return start(path, accepted.receiveOnly(), client -> Thread.ofVirtual().name("hoare-handshake uds:" + path).start(() -> {
            try {
                StreamChannels.Duplex<A, Q> connection = StreamChannels.duplex(Links.socket(client, "uds:" + path + " client"),
                        StreamChannels.Role.ACCEPTING, responseCodec, requestCodec, options.stream());
                try {
                    accepted.send(connection);
                } catch (dev.hoare.channels.ChannelClosedException | InterruptedException serverClosed) {
                    connection.close();
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "dropped a client of uds:" + path + ": " + e.getMessage());
            }
        }), options);
    }

    /**
     * A server that hands each allowed client's socket to {@code handler} (on the accepting
     * thread: the handler must not block for long) and has no channel of its own: for a
     * {@link WorkQueue}, which owns what it builds over the sockets. Closing it stops accepting.
     */
    static UnixServer<Void> startAccepting(Path requested, ClientHandler handler, Options options) throws IOException {
        Path path = requested.toAbsolutePath().normalize();
        return start(path, dev.hoare.channels.Channel.<Void>builder().capacity(0).build().receiveOnly(), handler, options);
    }

    private static <T> UnixServer<T> start(Path path, ReceiveChannel<T> inner, ClientHandler handler, Options options)
            throws IOException {
        UnixChannels.requireAddressFits(path, "socket path");
        Set<java.nio.file.attribute.UserPrincipal> allowed = PeerCheck.resolve(options.allowedUsers()); // before binding
        refuseLiveOrForeign(path);
        ServerSocketChannel server = bindPrivately(path);
        UnixServer<T> s = new UnixServer<>(path, server, inner, handler, options, allowed);
        Thread.ofVirtual().name("hoare-accept uds:" + path).start(s::acceptLoop);
        return s;
    }

    /** Binds at the path, accepts one allowed client within the timeout, then stops listening. */
    static SocketChannel acceptOne(Path requested, Options options) throws IOException {
        Path path = UnixChannels.requireAddressFits(requested.toAbsolutePath().normalize(), "socket path");
        Set<java.nio.file.attribute.UserPrincipal> allowed = PeerCheck.resolve(options.allowedUsers()); // before binding
        refuseLiveOrForeign(path);
        try (ServerSocketChannel server = bindPrivately(path);
             java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            server.configureBlocking(false);
            server.register(selector, java.nio.channels.SelectionKey.OP_ACCEPT);
            long deadline = System.nanoTime() + options.stream().timeout().toNanos();
            while (true) {
                long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || selector.select(left) == 0 && System.nanoTime() >= deadline) {
                    throw new IOException("no sender connected to uds:" + path + " within " + dev.hoare.channels.spi.Endpoint.formatDuration(options.stream().timeout()));
                }
                selector.selectedKeys().clear();
                SocketChannel client = server.accept();
                if (client == null) {
                    continue;
                }
                client.configureBlocking(true);
                try {
                    PeerCheck.require(client, allowed, options.allowedUsers(), "a client of uds:" + path);
                    return client;
                } catch (PeerCheck.RefusedPeerException e) {
                    LOG.log(System.Logger.Level.WARNING, "refused: {0}", e.getMessage());
                    closeQuietly(client);
                }
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }

    /** What is at the path must be nothing, or a stale socket of this user (no server accepts on it). */
    private static void refuseLiveOrForeign(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (int) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(path + " exists and is not a socket; refusing to replace it");
        }
        java.nio.file.attribute.UserPrincipal owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
        if (!owner.equals(PeerCheck.currentUser())) { // by uid
            throw new IOException("socket " + path + " belongs to user '" + owner.getName() + "'; refusing to replace it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            String who;
            try {
                who = "user '" + PeerCheck.peerUser(probe).getName() + "'";
            } catch (IOException | RuntimeException e) {
                who = "another process";
            }
            throw new IOException("address in use: a live server (" + who + ") accepts connections at " + path);
        } catch (java.net.ConnectException stale) {
            LOG.log(System.Logger.Level.INFO, "replacing the stale socket {0} (no server accepts on it)", path);
        }
    }

    /**
     * Binds in a fresh 0700 directory beside the path, makes the socket 0600, then renames it into
     * place (atomically replacing a stale one): no moment exists where another user could connect.
     * The directory is named after this process ({@code .hoare-bind-PID-…}); one a killed server
     * left behind is removed by the next server that binds beside it.
     */
    private static ServerSocketChannel bindPrivately(Path path) throws IOException {
        Path parent = path.getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        removeStaleBindDirectories(parent);
        Path privateDir = Files.createTempDirectory(parent, BIND_PREFIX + ProcessHandle.current().pid() + "-" + nameTag(path) + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path temporary = privateDir.resolve("s");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            UnixChannels.requireAddressFits(temporary, "the private path to bind (in the socket's directory)");
            server.bind(UnixDomainSocketAddress.of(temporary));
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(temporary);
            throw e;
        } finally {
            Files.deleteIfExists(privateDir);
        }
    }

    private static final String BIND_PREFIX = ".hoare-bind-";
    /** A bind directory's name: the binding process's pid, the tag of the final name ({@link #nameTag}; older servers had none), a random number. */
    private static final java.util.regex.Pattern BIND_DIRECTORY = java.util.regex.Pattern.compile(
            java.util.regex.Pattern.quote(BIND_PREFIX) + "(\\d+)-(?:[0-9a-f]{8}-)?\\d+");

    /**
     * Eight hex digits of the final socket name's {@code String.hashCode}, in the bind directory's
     * name: the kernel keeps the path a socket was bound at ({@code /proc/net/unix}), not the one
     * it was renamed to, so this is how a tool finds the server of a socket (a tag shared by
     * two names in one directory only makes it name both servers).
     */
    static String nameTag(Path socket) {
        return String.format("%08x", socket.getFileName().toString().hashCode());
    }

    /**
     * @return a pattern matching the path, as {@code /proc/net/unix} shows it, at which a Hoare
     *         server bound the socket that it then renamed to {@code socket}
     */
    static java.util.regex.Pattern boundAt(Path socket) {
        Path abs = socket.toAbsolutePath();
        return java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(abs.getParent().resolve(BIND_PREFIX).toString())
                + "\\d+-" + nameTag(abs) + "-\\d+/s");
    }

    /**
     * Removes the private bind directories (and the socket in one) of servers of this user that
     * died while binding: their pid is not alive. Anything else is left alone.
     */
    private static void removeStaleBindDirectories(Path parent) {
        try (var entries = Files.newDirectoryStream(parent, BIND_PREFIX + "*")) {
            for (Path dir : entries) {
                var m = BIND_DIRECTORY.matcher(dir.getFileName().toString());
                if (!m.matches() || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                        || !Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).equals(PeerCheck.currentUser())
                        || ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                Files.deleteIfExists(dir.resolve("s"));
                Files.deleteIfExists(dir);
                LOG.log(System.Logger.Level.INFO, "removed {0}, left by a server that died while binding", dir);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not look for stale bind directories in " + parent + ": " + e);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException stopped) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.ERROR, "accepting on uds:" + path + " failed; the server stops", e);
                    close();
                }
                return;
            }
            try {
                PeerCheck.require(client, allowed, options.allowedUsers(), "a client of uds:" + path);
                handler.take(client);
            } catch (PeerCheck.RefusedPeerException e) {
                refused.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "refused: {0}", e.getMessage());
                closeQuietly(client);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "dropped a client of uds:" + path + ": " + e);
                closeQuietly(client);
            }
        }
    }

    private static void closeQuietly(SocketChannel s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    /** @return the channel every client's values arrive on; closing it closes the server */
    public ReceiveChannel<T> channel() {
        return channel;
    }

    /** @return the socket file */
    public Path path() {
        return path;
    }

    /** @return how many clients were refused for their user so far */
    public int refusedClients() {
        return refused.get();
    }

    /** Stops accepting and removes the socket file; connected clients stay until the channel closes. */
    private void stop() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove " + path + ": " + e);
        }
    }

    /** Stops accepting, removes the socket file and closes the channel (clients learn it); idempotent. */
    @Override
    public void close() {
        stop();
        inner.close();
    }

    @Override
    public String toString() {
        return "UnixServer[" + path + (closed ? ", closed]" : "]");
    }
}
