/**
 * Cross-process synchronization on one host: {@link dev.hoare.sync.Semaphore},
 * {@link dev.hoare.sync.Mutex}, {@link dev.hoare.sync.Event} and {@link dev.hoare.sync.SharedData} in shared files of the per-user
 * {@code shm:} directory (futex waits, dead holders' permits and locks given back), and
 * {@link dev.hoare.sync.PidFile}.
 */
module dev.hoare.sync {
    requires dev.hoare.channels.shm;
    requires transitive dev.hoare.channels; // the views for select are ReceiveChannels
    requires org.jnrproject.ffi;

    exports dev.hoare.sync;
}
