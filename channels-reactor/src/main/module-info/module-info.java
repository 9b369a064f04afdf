/** Project Reactor bridges: channels as {@code Flux} and back, signals as a {@code Flux}. */
module dev.hoare.channels.reactive {
    requires transitive dev.hoare.channels;
    requires transitive reactor.core;
    requires transitive org.reactivestreams;

    exports dev.hoare.channels.reactive;
}
