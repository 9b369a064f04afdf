package dev.hoare.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.Codec;
import dev.hoare.channels.uds.UnixChannels;
import dev.hoare.channels.uds.UnixServer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link Procs} finds the processes behind Hoare's files, sockets included. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProcsTest {
    @TempDir
    Path dir;

    @Test
    void aHoareServersSocketIsHeldByItsProcessThoughItWasRenamedIntoPlace() throws Exception {
        Path socket = dir.resolve("held.sock");
        Path other = dir.resolve("other.sock");
        try (UnixServer<String> server = UnixChannels.listen(socket, Codec.utf8(), UnixServer.Options.defaults())) {
            assertEquals(Set.of(ProcessHandle.current().pid()), Procs.scan().holders(socket),
                    "the kernel lists the socket at its bind-time path; ls must still find its server");
            Files.createFile(other);
            assertEquals(Set.of(), Procs.scan().holders(other), "another file in the same directory is not the server's");
        }
        assertTrue(Procs.scan().holders(socket).isEmpty(), "closed: nobody holds it");
    }

    @Test
    void aSocketBoundInPlaceIsHeldByItsProcess() throws Exception {
        Path socket = dir.resolve("plain.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertEquals(Set.of(ProcessHandle.current().pid()), Procs.scan().holders(socket));
        }
    }
}
