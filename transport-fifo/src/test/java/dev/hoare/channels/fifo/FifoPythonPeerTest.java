package dev.hoare.channels.fifo;

import dev.hoare.channels.contract.PythonPeerContract;

/** A Python peer written from docs/wire-format.md and docs/fifo.md (the writers' lock file included) talks to Java's {@code fifo:} ends. */
class FifoPythonPeerTest extends PythonPeerContract {
    @Override
    protected String scheme() {
        return "fifo";
    }
}
