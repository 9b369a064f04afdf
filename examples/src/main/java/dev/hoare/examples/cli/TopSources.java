package dev.hoare.examples.cli;

/** The sources {@code hoare top} reads. */
final class TopSources {
    private TopSources() {
    }

    /** Every channel of this user on this machine (counters files, rings, sockets): see {@link LiveRows}. */
    static TopSource live() {
        return new LiveRows();
    }
}
