package dev.hoare.channels.contract;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/** The reference transport passes the contract (the cross-process and frame tests do not apply). */
class InprocContractTest extends TransportContract {
    private static final AtomicInteger NAMES = new AtomicInteger();

    @Override
    protected URI newEndpoint(int capacity) {
        return URI.create("inproc:contract-" + NAMES.incrementAndGet() + "?capacity=" + capacity);
    }

    @Override
    protected boolean crossProcess() {
        return false;
    }
}
