/**
 * The remote-channel engine: channel ends over a link of frames ({@code StreamChannels}), the link
 * SPI that a transport implements ({@code dev.hoare.channels.link}) and the wire format
 * ({@code dev.hoare.channels.wire}, exported only to the transports that read frames themselves).
 */
module dev.hoare.channels.remote {
    requires transitive dev.hoare.channels;

    exports dev.hoare.channels.remote;
    exports dev.hoare.channels.link;
    exports dev.hoare.channels.wire to dev.hoare.channels.shm;
}
