/** A Micrometer binder for Hoare channel ends' counters. */
module dev.hoare.channels.micrometer {
    requires transitive dev.hoare.channels;
    requires transitive micrometer.core;

    exports dev.hoare.channels.micrometer;
}
