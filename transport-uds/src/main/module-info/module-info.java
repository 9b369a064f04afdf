/** The {@code uds:} transport: remote channels over Unix domain sockets. */
module dev.hoare.channels.uds {
    requires transitive dev.hoare.channels.remote;
    requires jdk.net; // SO_PEERCRED: the peer's uid

    exports dev.hoare.channels.uds;

    provides dev.hoare.channels.spi.ChannelTransport with dev.hoare.channels.uds.UdsTransport;
}
