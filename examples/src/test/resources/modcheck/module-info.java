// A user's module: what ModulePathTest compiles and runs against the library's jars on the module path.
module dev.hoare.modcheck {
    requires dev.hoare.channels.fifo;
    requires dev.hoare.channels.uds;
    requires dev.hoare.channels.shm;
    requires dev.hoare.channels.aeron;
    requires dev.hoare.channels.reactive;
}
