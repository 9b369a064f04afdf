package dev.hoare.channels.aeron;

import dev.hoare.channels.contract.TransportContract;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.URI;
import java.time.Duration;

/**
 * The Aeron transport passes the transport contract: the receiving end takes one sender
 * ({@code senders=one}) on a fresh loopback UDP port, in this JVM (one embedded driver) or with
 * the other end in a child JVM (its own embedded driver, as another host would have).
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
        return URI.create("aeron:udp?endpoint=127.0.0.1:" + freePort() + "&stream=7&senders=one&liveness=2s&capacity=" + capacity);
    }

    @Override
    protected Duration peerLossBound() {
        return Duration.ofSeconds(10);
    }
}
