package dev.hoare.channels.uds;

import dev.hoare.channels.contract.PythonPeerContract;
import java.net.URI;
import java.nio.file.Path;

/** A Python peer written from docs/wire-format.md and docs/uds.md (credits included) talks to Java's {@code uds:} ends. */
class UdsPythonPeerTest extends PythonPeerContract {
    @Override
    protected String scheme() {
        return "uds";
    }

    @Override
    protected URI javaReceive(Path path) {
        return URI.create("uds:" + path + "?listen=one");
    }
}
