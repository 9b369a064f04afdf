/**
 * Cross-process synchronization between the processes of one user on one host.
 *
 * <p>{@link dev.hoare.sync.Semaphore}, {@link dev.hoare.sync.Mutex}, {@link dev.hoare.sync.SharedData} and
 * {@link dev.hoare.sync.Event} live in small files (mode 0600) of the per-user {@code shm:}
 * directory, named as channels are ({@code jobs}, or an absolute path), and mapped by every
 * process that opens them. Waiting sleeps on a futex word of that mapping. A process that dies
 * holding permits or the mutex gives them back: each holder is recorded by its pid and start
 * time, and the others look at the holders' liveness when they find nothing free or have waited
 * for {@code 100 ms} without a change. {@link dev.hoare.sync.PidFile} keeps a program to one
 * running instance. See docs/processes.md, section "Cross-process synchronization".
 */
package dev.hoare.sync;
