package dev.hoare.channels.signal;

import java.time.Instant;

/**
 * One delivery of a signal to this process.
 *
 * @param signal which signal
 * @param time when the JVM's signal thread saw it
 */
public record SignalEvent(Signal signal, Instant time) {
}
