/**
 * The wire format of remote channels (docs/wire-format.md is the normative description; this
 * package implements it): frames, their kinds, and the reader and writer that a transport's link
 * carries. For <b>transport authors</b> and for tests of other implementations, not for
 * applications; like {@code dev.hoare.channels.spi} it may change in any minor version until 1.0
 * (the bytes on the wire change only with the protocol version the handshake carries).
 */
package dev.hoare.channels.wire;
