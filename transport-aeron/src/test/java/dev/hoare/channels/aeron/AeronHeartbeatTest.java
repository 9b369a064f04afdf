package dev.hoare.channels.aeron;

import dev.hoare.channels.contract.HeartbeatContract;
import java.net.URI;

/**
 * {@code aeron:}'s heartbeat: a peer stopped with SIGSTOP (its media driver stopped with it: UDP
 * tells nothing) is lost either way within the liveness, an idle one is kept, with a child JVM and
 * its own embedded driver at the other end.
 */
class AeronHeartbeatTest extends HeartbeatContract {

    @Override
    protected URI newEndpoint() {
        return URI.create("aeron:udp?endpoint=127.0.0.1:" + AeronContractTest.freePort() + "&senders=one");
    }

    @Override
    protected boolean endpointIsAFile() {
        return false;
    }

    @Override
    protected boolean twoWay() {
        return true;
    }
}
