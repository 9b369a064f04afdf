/**
 * Project Reactor bridges (module channels-reactor): {@link dev.hoare.channels.reactive.ReactiveChannels}
 * turns a channel into a {@code Flux} and a {@code Publisher} into a channel, with back-pressure
 * both ways; {@link dev.hoare.channels.reactive.ReactiveSignals} gives POSIX signals as a
 * {@code Flux}. Kept out of channels-core so that plain channels need no Reactor.
 */
package dev.hoare.channels.reactive;
