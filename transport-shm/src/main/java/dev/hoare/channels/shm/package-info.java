/**
 * The <code>shm:</code> transport, under construction: {@link dev.hoare.channels.shm.ShmRing},
 * a many-producers, one-consumer ring of records in a memory-mapped file (layout in
 * {@link dev.hoare.channels.shm.RingLayout}). The channel ends over it come next.
 */
package dev.hoare.channels.shm;
