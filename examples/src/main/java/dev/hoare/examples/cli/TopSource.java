package dev.hoare.examples.cli;

import java.io.IOException;
import java.util.List;

/** Where {@code hoare top} takes its rows from: one call is one sample. */
@FunctionalInterface
public interface TopSource {
    /** Every row visible now; never blocks for long. */
    List<TopRow> sample() throws IOException;
}
