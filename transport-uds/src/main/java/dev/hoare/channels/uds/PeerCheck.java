package dev.hoare.channels.uds;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Who is at the other end of a Unix socket ({@code SO_PEERCRED}), and whether we talk to them.
 *
 * <p>Invariant: users are compared by <em>uid</em>, never by name. A {@link UserPrincipal} of the
 * default file system is equal to another exactly when their uids are equal, so the peer's
 * principal (built by the JDK from the uid {@code SO_PEERCRED} reports) is looked up in a set of
 * principals resolved from the allowed names or uids. This process's own user is the owner of
 * {@code /proc/self} (its effective uid), not the {@code user.name} property: that property is
 * {@code ?} for a uid with no passwd entry (as containers run) and may differ from the uid's name.
 */
final class PeerCheck {
    private PeerCheck() {
    }

    /** This process's user: its effective uid, as {@code SO_PEERCRED} reports users. */
    private static final UserPrincipal CURRENT = currentPrincipal();

    private static UserPrincipal currentPrincipal() {
        try {
            return Files.getOwner(Path.of("/proc/self")); // owned by the effective uid
        } catch (IOException | RuntimeException noProc) {
            try {
                Path probe = Files.createTempFile("hoare-uid-", "");
                try {
                    return Files.getOwner(probe); // a new file belongs to this process's (file system) uid
                } finally {
                    Files.deleteIfExists(probe);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot tell this process's uid", e);
            }
        }
    }

    /** @return this process's user (compared by uid) */
    static UserPrincipal currentUser() {
        return CURRENT;
    }

    /** @return this process's user as an entry of an allowed set: its name, or its uid if it has none */
    static String currentUserName() {
        return CURRENT.getName();
    }

    /** @return the user at the other end (compared by uid; named by its passwd name, or its uid if it has none) */
    static UserPrincipal peerUser(SocketChannel socket) throws IOException {
        UnixDomainPrincipal peer = socket.getOption(ExtendedSocketOptions.SO_PEERCRED);
        return peer.user();
    }

    /**
     * Resolves allowed users to principals, as {@code chown} does: a user name, or a number that is
     * no user's name taken as a uid. A name that no user has matches nobody.
     *
     * @param users user names or numeric uids
     * @return the principals, compared by uid
     */
    static Set<UserPrincipal> resolve(Set<String> users) {
        var lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        Set<UserPrincipal> principals = new HashSet<>();
        for (String user : users) {
            try {
                principals.add(lookup.lookupPrincipalByName(user));
            } catch (UserPrincipalNotFoundException unknown) {
                System.getLogger(PeerCheck.class.getName()).log(System.Logger.Level.WARNING,
                        "allowed user ''{0}'' is no user name nor uid; it matches nobody", user);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot look up user '" + user + "'", e);
            }
        }
        return Set.copyOf(principals);
    }

    /**
     * @param allowed principals from {@link #resolve}
     * @param names the names they were resolved from, for the message
     * @throws RefusedPeerException naming the peer's user if its uid is not among {@code allowed}
     */
    static void require(SocketChannel socket, Set<UserPrincipal> allowed, Set<String> names, String who) throws IOException {
        UserPrincipal user = peerUser(socket);
        if (!allowed.contains(user)) {
            throw new RefusedPeerException(who + " runs as user '" + user.getName() + "', which is not allowed (allowed: "
                    + new TreeSet<>(names) + ")");
        }
    }

    /** A peer of a user we do not talk to. */
    static final class RefusedPeerException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedPeerException(String message) {
            super(message);
        }
    }
}
