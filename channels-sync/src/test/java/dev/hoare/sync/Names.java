package dev.hoare.sync;

import dev.hoare.channels.shm.Shms;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;

/** Fresh names for the tests' primitives, and their removal. */
final class Names {
    private Names() {
    }

    static String fresh(String what) {
        return "test-" + what + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    }

    static void remove(String name) throws IOException {
        Shms.remove(name);
    }
}
