package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmsTest {
    @Test
    void namesLiveInAPrivateDirectoryAndBadNamesAreRefusedWithNothingCreated() throws Exception {
        Path dir = Shms.directory();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals(dir.resolve("prices"), Shms.path("prices"));
        assertEquals(Path.of("/tmp/x/ring"), Shms.path("/tmp/x/../x/ring"));
        for (String bad : new String[] {"../escape", "a/b", "..", ".hidden", "", "x".repeat(101), "nul\0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shms.path(bad), bad);
            assertTrue(e.getMessage().contains("invalid shm name"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> Channels.openReceive(URI.create("shm:..%2Fescape"), Codec.utf8()));
        assertFalse(Files.exists(dir.resolve("../escape")));
    }

    @Test
    void badOptionsAreRefused() {
        IllegalArgumentException wait = assertThrows(IllegalArgumentException.class,
                () -> Channels.openReceive(URI.create("shm:opts-test?wait=sometimes"), Codec.utf8()));
        assertTrue(wait.getMessage().contains("spin, yield, backoff or block"), wait.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Channels.openReceive(URI.create("shm:opts-test?colour=red"), Codec.utf8()));
        assertTrue(unknown.getMessage().contains("colour"), unknown.getMessage());
        IllegalArgumentException capacity = assertThrows(IllegalArgumentException.class,
                () -> Channels.openReceive(URI.create("shm:opts-test-2?capacityBytes=1000"), Codec.utf8()));
        assertTrue(capacity.getMessage().contains("power of two"), capacity.getMessage());
    }
}
