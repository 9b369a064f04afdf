/**
 * The service-provider interface by which a <b>transport</b> serves
 * {@link dev.hoare.channels.Channels#openSend} and {@link dev.hoare.channels.Channels#openReceive}:
 * {@link dev.hoare.channels.spi.ChannelTransport}, found by URI scheme through
 * {@link java.util.ServiceLoader} ({@link dev.hoare.channels.spi.Transports}), is handed an
 * {@link dev.hoare.channels.spi.Endpoint} (the parsed URI) and a codec, and returns a channel end.
 *
 * <p>A transport that carries frames between processes or machines builds its ends with the
 * remote-channel engine of module {@code channels-remote}: it implements a link there
 * ({@code dev.hoare.channels.link.Link}) and turns it into ends with
 * {@code dev.hoare.channels.remote.StreamChannels}; docs/channels.md, "Writing a transport", lists
 * the files a new transport needs.
 *
 * <h2>Stability</h2>
 * Hoare is at version 0.x, and this package is the part of the core most likely to change: it has
 * been shaped by three transports in one repository, and a fourth written elsewhere may well need
 * it to move. Until 1.0 it may change incompatibly in any minor version (0.x to 0.y), and a release
 * that changes it says so; a patch version (0.x.y to 0.x.z) does not change it. A transport should
 * therefore depend on the same minor version of the Hoare modules that it was built against (the
 * {@code hoare-bom} keeps the modules of one release together). From 1.0 on it follows semantic
 * versioning like the rest of the API.
 */
package dev.hoare.channels.spi;
