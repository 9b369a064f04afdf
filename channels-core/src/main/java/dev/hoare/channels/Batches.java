package dev.hoare.channels;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/** Argument checks shared by the many-at-a-time operations ({@link SendChannel#sendMany}, {@link ReceiveChannel#receiveMany}). */
final class Batches {
    private Batches() {
    }

    /** Refuses a null list or a list holding a null, before anything is sent. */
    static void checkValues(List<?> values) {
        Objects.requireNonNull(values, "values");
        for (int i = 0, n = values.size(); i < n; i++) {
            if (values.get(i) == null) {
                throw new NullPointerException("channel values must not be null (values[" + i + "])");
            }
        }
    }

    /** Refuses a null collection or a maximum below 1, before anything is taken. */
    static void checkInto(Collection<?> into, int max) {
        Objects.requireNonNull(into, "into");
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
    }
}
