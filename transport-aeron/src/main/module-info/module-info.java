/** The {@code aeron:} transport: remote channels across machines over Aeron (reliable UDP). */
module dev.hoare.channels.aeron {
    requires transitive dev.hoare.channels.remote;
    requires transitive io.aeron.driver; // AeronTransport.configureEmbeddedDrivers takes its context
    requires io.aeron.client;
    requires org.agrona;

    exports dev.hoare.channels.aeron;

    provides dev.hoare.channels.spi.ChannelTransport with dev.hoare.channels.aeron.AeronTransport;
}
