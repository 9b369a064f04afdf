/**
 * The <code>fifo:</code> transport: one-way channels over named pipes, which several writer
 * processes may share (each frame stays whole). {@link dev.hoare.channels.fifo.Fifos} creates
 * and removes them by logical name; {@link dev.hoare.channels.fifo.FifoTransport} serves
 * {@code fifo:NAME} and {@code fifo:/path} URIs. See docs/fifo.md.
 */
package dev.hoare.channels.fifo;
