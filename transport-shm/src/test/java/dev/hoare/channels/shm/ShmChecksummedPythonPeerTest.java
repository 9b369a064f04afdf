package dev.hoare.channels.shm;

import dev.hoare.channels.contract.PythonPeerContract;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * {@link ShmPythonPeerTest} on rings with a CRC32C in every record (docs/shm-format.md, the
 * checksum): a small ring (4 KiB) so that records wrap and pad at its end many times.
 */
class ShmChecksummedPythonPeerTest extends PythonPeerContract {
    @Override
    protected String scheme() {
        return "shm";
    }

    @Override
    protected URI javaReceive(Path path) {
        return URI.create("shm:" + path + "?checksum=crc32c&capacityBytes=4096");
    }

    @Override
    protected URI javaSend(Path path) {
        return URI.create("shm:" + path + "?checksum=crc32c");
    }

    @Override
    protected List<String> pythonReceiveOptions() {
        return List.of("--checksum", "--capacity-bytes", "4096");
    }
}
