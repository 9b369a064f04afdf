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

    /** Open defect, issue 25's note: in 2 of 4 CI runs the child's first receive after 5 s idle never returned the value. */
    @Override
    protected String knownIdleReceiverDefect() {
        return "aeron: an idle receiver's first receive after a quiet spell can hang (open defect, see issue 25's note)";
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
