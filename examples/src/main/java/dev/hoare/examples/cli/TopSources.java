package dev.hoare.examples.cli;

import java.util.List;

/** The sources {@code hoare top} reads. */
final class TopSources {
    private TopSources() {
    }

    /** Every channel of this user on this machine (counters files, rings, sockets). */
    static TopSource live() {
        return List::of; // filled in by the counters work (issue 28)
    }
}
