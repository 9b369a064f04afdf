/**
 * The link SPI, for <b>transport authors</b>: a {@link dev.hoare.channels.link.Link} carries whole
 * frames between two ends (a socket, a FIFO end, a shared-memory ring; its contract is written on
 * it); {@link dev.hoare.channels.link.StreamLink} is the link of every byte-stream transport, which
 * frames and unframes the stream once and asks only for the two streams;
 * {@link dev.hoare.channels.link.Links} makes links of sockets, and
 * {@link dev.hoare.channels.link.LinkStreams} streams of channels; {@link dev.hoare.channels.link.LocalNames} resolves a short name to a path;
 * {@link dev.hoare.channels.link.StreamOptions} holds a remote channel's capacity, frame size,
 * timeout and threads (applications pass it too, to {@code UnixChannels}, say: it is the one type
 * here that an application needs; make it with {@code StreamOptions.defaults().with...(...)}, not
 * its record constructor, which gains a parameter whenever an option is added). A link is turned
 * into channel ends by {@code dev.hoare.channels.remote.StreamChannels}.
 *
 * <h2>Stability</h2>
 * Like {@code dev.hoare.channels.spi}: until 1.0 it may change incompatibly in any minor version
 * (0.x to 0.y), and a release that changes it says so; a patch version does not change it.
 */
package dev.hoare.channels.link;
