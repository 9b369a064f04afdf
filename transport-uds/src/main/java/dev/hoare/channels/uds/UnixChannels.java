package dev.hoare.channels.uds;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.link.Links;
import dev.hoare.channels.link.StreamOptions;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * Channels over Unix domain stream sockets (the JDK's own, no native library).
 * {@link #listen} starts a server that fans every client's values into one channel;
 * {@link #dispatch} the other way round, a work queue that hands each value to one of many
 * connected workers;
 * {@link #connectSend} / {@link #connectReceive} (and {@code Channels.openSend/openReceive} with
 * {@code uds:/path}) connect to one.
 *
 * <p>Security: the server's socket file is created owner-only (0600) through a private 0700
 * directory and renamed into place, so no other user can ever connect to it; each side checks the
 * other's user with {@code SO_PEERCRED}, comparing uids, and by default accepts only its own user
 * (a server: {@link UnixServer.Options#allowedUsers}; a client: the {@code allowedUsers} overloads,
 * such as {@link #connectSend(Path, Codec, StreamOptions, Set)}).
 */
public final class UnixChannels {
    private UnixChannels() {
    }

    /**
     * Where a Hoare server's socket was bound before it was renamed into place, as the kernel
     * lists bound sockets ({@code /proc/net/unix} keeps the path at bind time): a server binds in a
     * private directory beside {@code socket} and renames the socket to it, so that no other user can
     * ever connect. For tools that look for a socket's server, such as {@code hoare ls}.
     *
     * @param socket the socket's path
     * @return a pattern that matches the whole bind-time path of a server of {@code socket} (a
     *         server of another name in the same directory matches only if the two names share
     *         a 32-bit hash)
     */
    public static java.util.regex.Pattern boundAt(Path socket) {
        return UnixServer.boundAt(Objects.requireNonNull(socket, "socket"));
    }

    /**
     * Starts a server at {@code path}. A stale socket file (no server accepts on it) is replaced;
     * a live one makes this fail.
     *
     * @param path the socket file
     * @param codec how bytes become values; every client must use the same
     * @param options capacity per client, timeouts, allowed users
     * @param <T> the value type
     * @return the running server; close it to stop
     * @throws IOException if the path is taken by a live server or by something that is not a socket
     * @throws IllegalArgumentException if the path is longer than a socket address holds (107 bytes)
     */
    public static <T> UnixServer<T> listen(Path path, Codec<T> codec, UnixServer.Options options) throws IOException {
        return UnixServer.start(Objects.requireNonNull(path, "path"), Objects.requireNonNull(codec, "codec"),
                Objects.requireNonNull(options, "options"));
    }

    /**
     * Starts a work queue at {@code path} that delivers each value once: worker processes connect
     * with {@link #connectReceive} (or {@code Channels.openReceive("uds:" + path)}), each with its
     * own credits, and every value sent goes to exactly one of them. See {@link WorkQueue}; a
     * worker that dies loses the values it held (at most its capacity, plus the one it worked on).
     * Security, stale and live sockets as for {@link #listen}.
     *
     * @param path the socket file
     * @param codec how values become bytes; every worker must use the same
     * @param options timeouts, allowed users (each worker announces its own capacity)
     * @param <T> the value type
     * @return the running queue; close it to stop
     * @throws IOException as {@link #listen}
     * @throws IllegalArgumentException if the path is longer than a socket address holds (107 bytes)
     */
    public static <T> WorkQueue<T> dispatch(Path path, Codec<T> codec, UnixServer.Options options) throws IOException {
        return dispatch(path, codec, options, WorkQueue.Delivery.ONCE);
    }

    /**
     * Starts a work queue at {@code path} ({@link #dispatch(Path, Codec, UnixServer.Options)}),
     * choosing what happens to the values of a worker that dies. With {@link WorkQueue.Delivery#REDELIVER}
     * workers connect with {@link #connectWorker} and acknowledge each value; the unacknowledged
     * values of a worker that dies go to another.
     *
     * @param path the socket file
     * @param codec how values become bytes; every worker must use the same
     * @param options timeouts, allowed users
     * @param delivery deliver once, or redeliver the unacknowledged
     * @param <T> the value type
     * @return the running queue; close it to stop
     * @throws IOException as {@link #listen}
     * @throws IllegalArgumentException if the path is longer than a socket address holds (107 bytes)
     */
    public static <T> WorkQueue<T> dispatch(Path path, Codec<T> codec, UnixServer.Options options, WorkQueue.Delivery delivery)
            throws IOException {
        return WorkQueue.start(Objects.requireNonNull(path, "path"), Objects.requireNonNull(codec, "codec"),
                Objects.requireNonNull(options, "options"), Objects.requireNonNull(delivery, "delivery"));
    }

    /**
     * Connects as a worker to a redelivering {@link WorkQueue}: receive each value, do the work,
     * {@link WorkItem#ack()} it. (A worker of a queue that delivers once uses {@link #connectReceive}.)
     *
     * @param path the queue's socket file
     * @param codec how bytes become values; the queue must use the same
     * @param options capacity (values buffered ahead of this worker, and values in its hands
     *     unacknowledged, at least 1), timeout
     * @param <T> the value type
     * @return the worker's end; close it to leave the queue
     * @throws IOException if no queue accepts within the timeout, or the handshake fails (a queue
     *     that delivers once refuses this worker's codec: a {@link dev.hoare.channels.ChannelProtocolException})
     * @throws IllegalArgumentException if the path is longer than a socket address holds (107 bytes)
     */
    public static <T> WorkReceiver<T> connectWorker(Path path, Codec<T> codec, StreamOptions options) throws IOException {
        SocketChannel socket = connect(path, options, ownUser());
        try {
            return new WorkReceiver<>(StreamChannels.duplex(Links.socket(socket, "uds:" + path), StreamChannels.Role.CONNECTING,
                    WorkItem.SEQUENCE_CODEC, WorkItem.numberedCodec(codec), options), options.capacity());
        } catch (dev.hoare.channels.ChannelProtocolException e) {
            throw new dev.hoare.channels.ChannelProtocolException("uds:" + path + " is not a redelivering work queue of codec '"
                    + codec.id() + "' (a queue that delivers once takes workers through connectReceive): " + e.getMessage(), e);
        } catch (dev.hoare.channels.PeerLostException e) { // the queue refused us first and closed (blocking sockets)
            throw new IOException("uds:" + path + " dropped this worker during the handshake; is it a redelivering work queue of codec '"
                    + codec.id() + "'? (a queue that delivers once takes workers through connectReceive): " + e.getMessage(), e);
        }
    }

    /**
     * Starts a request/response server at {@code path}: its {@link UnixServer#channel() channel}
     * receives each client as a connection, a channel each way over the client's one socket
     * ({@code in()}: the client's requests, {@code out()}: the responses to it). The channel of
     * connections is a {@link dev.hoare.channels.Select} case like any other. Security, stale and
     * live sockets as for {@link #listen}.
     *
     * @param path the socket file
     * @param requestCodec the codec of what clients send
     * @param responseCodec the codec of what the server answers
     * @param options capacity (each way, per connection), timeouts, allowed users
     * @param <Q> request type
     * @param <A> response type
     * @return the running server; close it (or its channel) to stop accepting
     * @throws IOException as {@link #listen}
     * @throws IllegalArgumentException if the path is longer than a socket address holds (107 bytes)
     */
    public static <Q, A> UnixServer<StreamChannels.Duplex<A, Q>> serve(Path path, Codec<Q> requestCodec,
            Codec<A> responseCodec, UnixServer.Options options) throws IOException {
        return UnixServer.startConnections(Objects.requireNonNull(path, "path"), Objects.requireNonNull(requestCodec, "requestCodec"),
                Objects.requireNonNull(responseCodec, "responseCodec"), Objects.requireNonNull(options, "options"));
    }

    /**
     * Connects to a {@link #serve request/response server}: one socket carrying the requests out
     * and the responses in.
     *
     * @param path the server's socket file
     * @param requestCodec the codec of the requests (the server's request codec)
     * @param responseCodec the codec of the responses (the server's response codec)
     * @param options capacity (of the responses coming in), timeout
     * @param <Q> request type
     * @param <A> response type
     * @return the two channels; close it to close both
     * @throws IOException if no server accepts within the timeout, or a handshake fails
     * @throws IllegalArgumentException if the path is longer than a socket address holds (107 bytes)
     */
    public static <Q, A> StreamChannels.Duplex<Q, A> connect(Path path, Codec<Q> requestCodec, Codec<A> responseCodec,
            StreamOptions options) throws IOException {
        return connect(path, requestCodec, responseCodec, options, ownUser());
    }

    /**
     * {@link #connect(Path, Codec, Codec, StreamOptions)} to a server that may run as another user.
     *
     * @param path the server's socket file
     * @param requestCodec the codec of the requests (the server's request codec)
     * @param responseCodec the codec of the responses (the server's response codec)
     * @param options capacity (of the responses coming in), timeout
     * @param allowedUsers the server's users this client talks to, checked with {@code SO_PEERCRED} and
     *     compared by uid: user names or numeric uids, as {@link UnixServer.Options#allowedUsers} (the
     *     other overload allows only this process's own user)
     * @param <Q> request type
     * @param <A> response type
     * @return the two channels; close it to close both
     * @throws IOException if no server accepts within the timeout, the server's user is not allowed, or a handshake fails
     * @throws IllegalArgumentException if the path is longer than a socket address holds (107 bytes)
     */
    public static <Q, A> StreamChannels.Duplex<Q, A> connect(Path path, Codec<Q> requestCodec, Codec<A> responseCodec,
            StreamOptions options, Set<String> allowedUsers) throws IOException {
        SocketChannel socket = connect(path, options, allowedUsers);
        return StreamChannels.duplex(Links.socket(socket, "uds:" + path), requestCodec, responseCodec, options);
    }

    /**
     * Listens at {@code path} for one sender (at most the timeout), then stops listening (the
     * socket file is removed) and returns a one-to-one channel from it: its close, loss or bad
     * frame ends the channel, as with a connected end.
     *
     * @param path the socket file (a stale one is replaced, a live one refused, as by {@link #listen})
     * @param codec how bytes become values; the sender must use the same
     * @param options capacity, timeout (accepting and handshake), allowed users
     * @param <T> the value type
     * @return the receive end
     * @throws IOException if no allowed sender connects within the timeout, or the handshake fails
     * @throws IllegalArgumentException if the path is longer than a socket address holds (107 bytes)
     */
    public static <T> ReceiveChannel<T> acceptOne(Path path, Codec<T> codec, UnixServer.Options options) throws IOException {
        SocketChannel socket = UnixServer.acceptOne(path, options);
        return StreamChannels.receiver(Links.socket(socket, "uds:" + path), codec, options.stream());
    }

    /**
     * Connects to a server and returns a channel to send it values.
     *
     * @param path the server's socket file
     * @param codec how values become bytes; the server must use the same
     * @param options capacity (announced by the server), timeout (connecting and handshake)
     * @param <T> the value type
     * @return the send end
     * @throws IOException if no server accepts within the timeout, or the handshake fails
     * @throws IllegalArgumentException if the path is longer than a socket address holds (107 bytes)
     */
    public static <T> SendChannel<T> connectSend(Path path, Codec<T> codec, StreamOptions options) throws IOException {
        return connectSend(path, codec, options, ownUser());
    }

    /**
     * {@link #connectSend(Path, Codec, StreamOptions)} to a server that may run as another user
     * (one whose {@link UnixServer.Options#withAllowedUsers} admits this process's user).
     *
     * @param path the server's socket file
     * @param codec how values become bytes; the server must use the same
     * @param options capacity (announced by the server), timeout (connecting and handshake)
     * @param allowedUsers the server's users this client talks to, checked with {@code SO_PEERCRED} and
     *     compared by uid: user names or numeric uids, as {@link UnixServer.Options#allowedUsers} (the
     *     other overload allows only this process's own user)
     * @param <T> the value type
     * @return the send end
     * @throws IOException if no server accepts within the timeout, the server's user is not allowed, or the handshake fails
     * @throws IllegalArgumentException if the path is longer than a socket address holds (107 bytes)
     */
    public static <T> SendChannel<T> connectSend(Path path, Codec<T> codec, StreamOptions options, Set<String> allowedUsers)
            throws IOException {
        SocketChannel socket = connect(path, options, allowedUsers);
        return StreamChannels.sender(Links.socket(socket, "uds:" + path), codec, options);
    }

    /**
     * Connects to a peer that sends and returns a channel to receive its values.
     *
     * @param path the peer's socket file
     * @param codec how bytes become values; the peer must use the same
     * @param options capacity, timeout
     * @param <T> the value type
     * @return the receive end
     * @throws IOException if no peer accepts within the timeout, or the handshake fails
     * @throws IllegalArgumentException if the path is longer than a socket address holds (107 bytes)
     */
    public static <T> ReceiveChannel<T> connectReceive(Path path, Codec<T> codec, StreamOptions options) throws IOException {
        return connectReceive(path, codec, options, ownUser());
    }

    /**
     * {@link #connectReceive(Path, Codec, StreamOptions)} from a peer that may run as another user.
     *
     * @param path the peer's socket file
     * @param codec how bytes become values; the peer must use the same
     * @param options capacity, timeout
     * @param allowedUsers the server's users this client talks to, checked with {@code SO_PEERCRED} and
     *     compared by uid: user names or numeric uids, as {@link UnixServer.Options#allowedUsers} (the
     *     other overload allows only this process's own user)
     * @param <T> the value type
     * @return the receive end
     * @throws IOException if no peer accepts within the timeout, the peer's user is not allowed, or the handshake fails
     * @throws IllegalArgumentException if the path is longer than a socket address holds (107 bytes)
     */
    public static <T> ReceiveChannel<T> connectReceive(Path path, Codec<T> codec, StreamOptions options, Set<String> allowedUsers)
            throws IOException {
        SocketChannel socket = connect(path, options, allowedUsers);
        return StreamChannels.receiver(Links.socket(socket, "uds:" + path), codec, options);
    }

    /** @return the default allowed users of a client: this process's own (by uid) */
    private static Set<String> ownUser() {
        return Set.of(PeerCheck.currentUserName());
    }

    /**
     * The most bytes of path a Unix socket address holds: {@code sun_path} is 108 bytes on Linux,
     * the last one the terminating NUL.
     */
    static final int MAX_PATH_BYTES = 107;

    /**
     * Refuses a socket path longer than a socket address holds (the JDK would fail only at bind or
     * connect: a server that binds in its private directory and renames the socket into place
     * would run where no client can reach it, and a client would retry until its timeout).
     *
     * @param path an absolute socket path
     * @param what what the path is, for the message
     * @return the path
     * @throws IllegalArgumentException naming the limit, if it is longer
     */
    static Path requireAddressFits(Path path, String what) {
        int bytes = path.toString().getBytes(PATH_ENCODING).length;
        if (bytes > MAX_PATH_BYTES) {
            throw new IllegalArgumentException(what + " " + path + " is " + bytes + " bytes long; a Unix socket address holds at most "
                    + MAX_PATH_BYTES + " (108 with the terminating NUL): use a shorter path");
        }
        return path;
    }

    /** How the JDK turns a socket path into bytes (the platform's file name encoding). */
    private static final java.nio.charset.Charset PATH_ENCODING = pathEncoding();

    private static java.nio.charset.Charset pathEncoding() {
        try {
            return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException unknown) {
            return java.nio.charset.StandardCharsets.UTF_8;
        }
    }

    /**
     * Whether a failed connect was refused for permission (EACCES): the socket file is not writable
     * by this process, or a directory on the way is not searchable. The JDK reports EACCES, ENOENT
     * and ECONNREFUSED alike as a {@code SocketException} with the system's message, so this looks
     * at the message and at the path itself.
     */
    static boolean permissionDenied(Path path, java.net.SocketException failure) {
        if (failure instanceof java.net.ConnectException) {
            return false; // ECONNREFUSED: the file is there and we may use it, nobody accepts yet
        }
        String message = String.valueOf(failure.getMessage());
        if (message.contains("Permission denied") || message.contains("EACCES")) {
            return true;
        }
        if (message.contains("No such file or directory") || message.contains("ENOENT")) {
            return false; // no socket yet: a server may still bind it
        }
        // one stat, not two (a server renaming its socket into place between two looks made
        // "neither there nor absent" of a plain ENOENT): a directory we may not search fails it
        try {
            Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
        } catch (java.nio.file.NoSuchFileException absent) {
            return false;
        } catch (IOException other) {
            return true;
        }
        return !Files.isWritable(path);
    }

    /**
     * Fails at once when the socket's directory does not exist (a mistyped path, a server not
     * started): before, a client retried until its timeout (10 s by default) and then said only
     * that no server accepted.
     *
     * @throws java.nio.file.NoSuchFileException naming the missing directory
     */
    private static void requireDirectory(Path path) throws java.nio.file.NoSuchFileException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "no server listens here: its directory " + dir
                    + " does not exist (a server makes it when it listens: start the server first, or make the directory)");
        }
    }

    /** {@link #connect(Path, StreamOptions, Set)} to a server of this process's own user. */
    static SocketChannel connect(Path path, StreamOptions options) throws IOException {
        return connect(path, options, ownUser());
    }

    /**
     * Connects, retrying while nobody listens yet, up to the timeout; checks the server's user.
     * A path whose directory does not exist fails at once ({@link java.nio.file.NoSuchFileException}):
     * no server listens there yet, and waiting is no use unless one is starting at this moment.
     *
     * @param allowedUsers the server's users this client talks to (names or uids, as {@link UnixServer.Options#allowedUsers})
     */
    static SocketChannel connect(Path path, StreamOptions options, Set<String> allowedUsers) throws IOException {
        requireAddressFits(path.toAbsolutePath(), "socket path");
        Set<java.nio.file.attribute.UserPrincipal> allowed = PeerCheck.resolve(allowedUsers);
        long deadline = System.nanoTime() + options.timeout().toNanos();
        IOException last;
        do {
            SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                socket.connect(UnixDomainSocketAddress.of(path));
                PeerCheck.require(socket, allowed, allowedUsers, "the server at " + path);
                return socket;
            } catch (java.net.SocketException notYet) { // no socket file yet (ENOENT), or nobody accepts (ECONNREFUSED)
                socket.close();
                if (permissionDenied(path, notYet)) { // waiting will not change it
                    throw new java.nio.file.AccessDeniedException(path.toString(), null,
                            "permission denied connecting to this socket: this process's user ('" + PeerCheck.currentUserName()
                            + "') may not write it or search its directory (a Hoare server's socket is 0600: only its own"
                            + " user can connect) (" + notYet.getMessage() + ")");
                }
                requireDirectory(path);
                last = notYet;
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while connecting to " + path);
            }
        } while (System.nanoTime() < deadline);
        throw new IOException("no server accepted a connection at " + path + " within " + dev.hoare.channels.spi.Endpoint.formatDuration(options.timeout()), last);
    }
}
