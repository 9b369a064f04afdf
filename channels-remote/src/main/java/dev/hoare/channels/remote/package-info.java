/**
 * The remote-channel engine. {@link dev.hoare.channels.remote.StreamChannels} turns a link
 * ({@code dev.hoare.channels.link.Link}) into real channel ends that speak the wire protocol
 * (docs/wire-format.md): a send end, a receive end, a fan-in of many senders, and a channel each
 * way over one link. The ends are {@code select} cases through the in-process layer's select seam
 * and follow the channel contract of {@code dev.hoare.channels}: capacity by credits, close after
 * every value sent, peer loss as {@code PeerLostException}. Transports build on it; applications
 * reach it through {@code Channels.openSend/openReceive} and the transports' own classes.
 *
 * <h2>Stability</h2>
 * Like {@code dev.hoare.channels.spi}: until 1.0 it may change incompatibly in any minor version.
 */
package dev.hoare.channels.remote;
