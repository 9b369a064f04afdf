package dev.hoare.channels;

/**
 * What a buffered channel does with a send when its buffer is full.
 *
 * <p>Only {@link #SUSPEND} applies back-pressure; the two drop policies make every send succeed at
 * once and hand the value they discard to the channel's {@code onUndelivered} hook (see
 * {@link Channel.Builder#onUndelivered}). The drop policies need a buffer of at least one value.
 */
public enum Overflow {
    /** The sender waits until there is room (the default); {@code trySend} returns {@code false}. */
    SUSPEND,
    /** The oldest buffered value is discarded to make room for the new one. */
    DROP_OLDEST,
    /** The new value is discarded; the buffer keeps what it has. The send still reports success. */
    DROP_LATEST
}
