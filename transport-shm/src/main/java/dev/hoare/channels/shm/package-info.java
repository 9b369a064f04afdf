/**
 * The <code>shm:</code> transport: {@link dev.hoare.channels.shm.ShmRing}, a many-producers,
 * one-consumer ring of records in a memory-mapped file (layout in
 * {@link dev.hoare.channels.shm.RingLayout}), and the channel ends over it
 * ({@link dev.hoare.channels.shm.ShmTransport}, found by the URI scheme {@code shm:}). A ring is
 * also a durable queue: {@link dev.hoare.channels.shm.ShmQueue} ({@code Shms.queue(name)}) counts,
 * drops and removes the values waiting in it without being its reader.
 *
 * <p>A channel end whose ring fails closes with the ring's own exception as the cause:
 * {@link dev.hoare.channels.shm.ShmRing.RingFaultException} when its memory faulted (the file
 * shrunk under the process), and its subclass
 * {@link dev.hoare.channels.shm.ShmRing.RingCorruptException} when the ring's contents break an
 * invariant an end checks (or, with {@code checksum=crc32c}, a record's checksum). docs/shm.md
 * and docs/security.md say what is checked and what is not.
 */
package dev.hoare.channels.shm;
