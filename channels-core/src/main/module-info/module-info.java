/**
 * Hoare's channels: the API ({@code Channel}, {@code Select}, {@code BroadcastChannel},
 * {@code Channels}), signals, and the service-provider interface by which transports serve
 * {@code Channels.openSend} and {@code Channels.openReceive}. The in-process implementation
 * ({@code dev.hoare.channels.internal}) is exported only to the remote-channel engine and to the
 * cross-process primitives ({@code dev.hoare.sync}), whose ends take part in {@code select}
 * through its seam.
 */
module dev.hoare.channels {
    requires java.management; // Signals: is the JVM running with -Xrs?
    requires jdk.unsupported; // sun.misc.Signal, the one way to handle POSIX signals in Java
    requires jdk.jfr; // JFR events: waits over a threshold, lost peers, protocol errors (internal.ChannelWaitEvent, LinkEvents)

    exports dev.hoare.channels;
    exports dev.hoare.channels.signal;
    exports dev.hoare.channels.spi;
    exports dev.hoare.channels.internal to dev.hoare.channels.remote, dev.hoare.sync;

    uses dev.hoare.channels.spi.ChannelTransport;

    provides dev.hoare.channels.spi.ChannelTransport with dev.hoare.channels.InprocTransport;
}
