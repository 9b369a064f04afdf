/** The {@code shm:} transport: remote channels over a ring in shared memory. */
module dev.hoare.channels.shm {
    requires transitive dev.hoare.channels.remote;
    requires org.jnrproject.posix;
    requires org.jnrproject.ffi;
    requires org.jnrproject.constants;
    // JNR's jars are automatic modules, which declare no dependencies: these are what jnr-ffi
    // loads at run time, named here so that a modular application needs no --add-modules
    requires org.jnrproject.jffi;
    requires org.objectweb.asm;
    requires org.objectweb.asm.commons;
    requires org.objectweb.asm.tree;
    requires org.objectweb.asm.tree.analysis;
    requires org.objectweb.asm.util;
    requires jnr.x86asm;
    requires jnr.a64asm;

    exports dev.hoare.channels.shm;

    provides dev.hoare.channels.spi.ChannelTransport with dev.hoare.channels.shm.ShmTransport;
}
