package dev.hoare.channels.aeron;

import dev.hoare.channels.contract.TransportContract;
import dev.hoare.channels.spi.Endpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The Aeron transport passes the transport contract: the receiving end takes one sender
 * ({@code senders=one}) on a fresh loopback UDP port, each end with a media driver of its own, as
 * two hosts would have: two embedded drivers when both ends are in this JVM
 * ({@link TwoDriversTransport}), and a child JVM with its own for the tests across processes.
 */
class AeronContractTest extends TransportContract {

    /** A UDP port free now (the receiving end binds it a moment later). */
    static int freePort() {
        try (DatagramSocket s = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected URI newEndpoint(int capacity) {
        return URI.create("aeron-two-drivers:udp?endpoint=127.0.0.1:" + freePort() + "&stream=7&senders=one&liveness=2s&capacity=" + capacity);
    }

    private static final java.util.List<AeronLink> RAW = new java.util.concurrent.CopyOnWriteArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void closeRawSenders() {
        RAW.forEach(AeronLink::close);
        RAW.clear();
    }

    /** A real Aeron sender (its CONNECT said) that publishes what is written as one message at each flush; close ends its publication. */
    @Override
    protected Optional<OutputStream> openRawSender(URI endpoint) throws IOException {
        AeronLink link = AeronTransport.connect(Endpoint.parse(URI.create(endpoint.toString().replace("aeron-two-drivers:", "aeron:"))));
        RAW.add(link);
        return Optional.of(new java.io.ByteArrayOutputStream() {
            /** What was written since the last flush goes as one Aeron message, as a socket's bytes would come in one read. */
            @Override
            public void flush() throws IOException {
                if (size() > 0) {
                    link.write(buf, 0, count);
                    reset();
                }
            }

            /** Ends the publication only: the receiver reads end of stream and can still send its replies. */
            @Override
            public void close() throws IOException {
                flush();
                link.closeOutput();
            }
        });
    }

    /** A peer killed with SIGKILL tells nothing over UDP: the ends' liveness (2 s here) finds it, with room for a loaded machine. */
    @Override
    protected Duration peerLossBound() {
        return Duration.ofSeconds(5);
    }
}
