package dev.hoare.channels.shm;

import dev.hoare.channels.contract.PythonPeerContract;

/**
 * A Python reader and writer of rings written from docs/shm-format.md alone (standard library
 * {@code mmap}, a futex and atomic instructions through {@code ctypes}) talk to Java's {@code shm:}
 * ends: the proof that the format page is enough to implement the ring.
 */
class ShmPythonPeerTest extends PythonPeerContract {
    @Override
    protected String scheme() {
        return "shm";
    }
}
