package dev.hoare.channels.uds;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/** Who is at the other end of a Unix socket ({@code SO_PEERCRED}), and whether we talk to them. */
final class PeerCheck {
    private PeerCheck() {
    }

    /** @return this process's user name, as {@code SO_PEERCRED} reports users */
    static String currentUser() {
        return System.getProperty("user.name");
    }

    /** @return the user at the other end */
    static String peerUser(SocketChannel socket) throws IOException {
        UnixDomainPrincipal peer = socket.getOption(ExtendedSocketOptions.SO_PEERCRED);
        UserPrincipal user = peer.user();
        return user.getName();
    }

    /**
     * @throws IOException naming the peer's user if it is not in {@code allowed}
     */
    static void require(SocketChannel socket, Set<String> allowed, String who) throws IOException {
        String user = peerUser(socket);
        if (!allowed.contains(user)) {
            throw new RefusedPeerException(who + " runs as user '" + user + "', which is not allowed (allowed: " + allowed + ")");
        }
    }

    static void requireSameUser(SocketChannel socket, String who) throws IOException {
        require(socket, Set.of(currentUser()), who);
    }

    /** A peer of a user we do not talk to. */
    static final class RefusedPeerException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedPeerException(String message) {
            super(message);
        }
    }
}
