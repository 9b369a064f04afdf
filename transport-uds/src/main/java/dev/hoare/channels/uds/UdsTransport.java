package dev.hoare.channels.uds;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.spi.ChannelTransport;
import dev.hoare.channels.spi.Endpoint;
import dev.hoare.channels.link.StreamOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code uds:/absolute/path}: channels over Unix domain sockets. {@code openSend} and
 * {@code openReceive} connect to a server at the path ({@link UnixChannels#listen});
 * {@code openReceive} of {@code uds:/path?listen=true} starts one and returns the channel all its
 * clients send into (closing it stops the server), while {@code openSend} of the same URI
 * connects to it: both sides can use one URI. {@code listen=one} makes the receiving end accept
 * one sender and then behave as a one-to-one channel (the sender's close or loss ends it), as
 * {@link UnixChannels#acceptOne}. Options: {@code capacity} (values a sender may be ahead of the
 * receiving application, default 64), {@code maxFrame}, {@code timeout} (connecting, accepting
 * and handshake, default 10 s), {@code listen} ({@code false}, {@code true} or {@code one}),
 * {@code allowedUsers} (comma-separated user names or numeric uids whose peers this end talks to,
 * checked with {@code SO_PEERCRED} by uid; default: this process's own user only; on a listening
 * end the clients it admits, on a connecting end the servers it accepts, so a server of another user
 * is reached with {@code allowedUsers=thatuser} on the client and this user in the server's list).
 * {@code dispatch=true} makes {@code openSend} start a work queue ({@link UnixChannels#dispatch}, deliver-once)
 * and return its channel: every value goes to one of the processes that {@code openReceive} the same
 * URI (which ignores {@code dispatch} and connects as a worker); closing the channel stops the queue.
 * The path must be absolute and at most 107 bytes (what a socket address holds); a longer one is
 * refused at once with {@code IllegalArgumentException}.
 */
public final class UdsTransport implements ChannelTransport {
    private static final Set<String> OPTIONS = with(StreamOptions.OPTIONS, "listen", "allowedUsers", "dispatch");

    private static Set<String> with(Set<String> base, String... more) {
        Set<String> s = new HashSet<>(base);
        s.addAll(java.util.List.of(more));
        return Set.copyOf(s);
    }

    /** Made by {@link java.util.ServiceLoader}; use {@code Channels.openSend/openReceive}. */
    public UdsTransport() {
    }

    @Override
    public String scheme() {
        return "uds";
    }

    @Override
    public <T> SendChannel<T> openSend(Endpoint endpoint, Codec<T> codec) throws IOException {
        StreamOptions options = StreamOptions.from(endpoint.onlyOptions(OPTIONS));
        listening(endpoint); // checked; a send end always connects, whoever listens
        if (dispatching(endpoint)) {
            UnixServer.Options server = UnixServer.Options.defaults().withStream(options).withAllowedUsers(allowedUsers(endpoint));
            return UnixChannels.dispatch(path(endpoint), codec, server).channel();
        }
        return UnixChannels.connectSend(path(endpoint), codec, options, allowedUsers(endpoint));
    }

    @Override
    public <T> ReceiveChannel<T> openReceive(Endpoint endpoint, Codec<T> codec) throws IOException {
        StreamOptions options = StreamOptions.from(endpoint.onlyOptions(OPTIONS));
        dispatching(endpoint); // checked; a receive end of a work queue connects as a worker
        UnixServer.Options server = UnixServer.Options.defaults().withStream(options).withAllowedUsers(allowedUsers(endpoint));
        return switch (listening(endpoint)) {
            case "true" -> UnixChannels.listen(path(endpoint), codec, server).channel();
            case "one" -> UnixChannels.acceptOne(path(endpoint), codec, server);
            default -> UnixChannels.connectReceive(path(endpoint), codec, options, allowedUsers(endpoint));
        };
    }

    private static String listening(Endpoint endpoint) {
        String v = endpoint.options().getOrDefault("listen", "false");
        if (!Set.of("true", "one", "false").contains(v)) {
            throw new IllegalArgumentException("option listen=" + v + " must be true, one or false in " + endpoint.uri());
        }
        return v;
    }

    /** {@code dispatch=true}: {@code openSend} starts a deliver-once {@link WorkQueue} at the path (its {@link WorkQueue#channel()}). */
    private static boolean dispatching(Endpoint endpoint) {
        String v = endpoint.options().getOrDefault("dispatch", "false");
        if (!Set.of("true", "false").contains(v)) {
            throw new IllegalArgumentException("option dispatch=" + v + " must be true or false in " + endpoint.uri());
        }
        return v.equals("true");
    }

    /** {@code allowedUsers=alice,1001}: the users (names or uids) whose peers this end talks to; default its own. */
    private static Set<String> allowedUsers(Endpoint endpoint) {
        String v = endpoint.options().get("allowedUsers");
        if (v == null) {
            return UnixServer.Options.defaults().allowedUsers();
        }
        Set<String> users = new java.util.LinkedHashSet<>();
        for (String user : v.split(",")) {
            if (!user.isBlank()) {
                users.add(user.strip());
            }
        }
        if (users.isEmpty()) {
            throw new IllegalArgumentException("option allowedUsers=" + v + " names no user in " + endpoint.uri());
        }
        return users;
    }

    private static Path path(Endpoint endpoint) {
        Path p = Path.of(endpoint.address());
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException("uds: needs an absolute socket path, such as uds:/run/app/orders.sock; got "
                    + endpoint.uri());
        }
        return p;
    }
}
