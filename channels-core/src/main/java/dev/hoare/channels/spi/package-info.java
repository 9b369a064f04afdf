/**
 * The service-provider interface for <b>transport authors</b>: what a module such as
 * transport-fifo, transport-uds or transport-shm (or one of your own) implements and uses to make
 * channel ends that cross a process boundary.
 *
 * <ul>
 * <li>{@link dev.hoare.channels.spi.ChannelTransport}: a transport, found by URI scheme through
 * {@link java.util.ServiceLoader} ({@link dev.hoare.channels.spi.Transports}); it is handed an
 * {@link dev.hoare.channels.spi.Endpoint} (the parsed URI).</li>
 * <li>{@link dev.hoare.channels.spi.Link}: a byte stream between two ends, which
 * {@link dev.hoare.channels.StreamChannels} turns into a channel end speaking the wire protocol
 * (package {@code dev.hoare.channels.wire}, docs/wire-format.md);
 * {@link dev.hoare.channels.spi.Links} and {@link dev.hoare.channels.spi.LinkStreams} make links of
 * sockets and streams; {@link dev.hoare.channels.spi.LocalNames} resolves a short name to a path.</li>
 * <li>{@link dev.hoare.channels.spi.StreamOptions}: capacity, frame size, timeout and threads of a
 * remote channel. Applications pass it too (to {@code UnixChannels}, say); it is the one type here
 * that an application needs. Everything else an application does goes through
 * {@link dev.hoare.channels.Channels#openSend} and {@link dev.hoare.channels.Channels#openReceive}
 * by URI.</li>
 * </ul>
 *
 * <h2>Stability</h2>
 * Hoare is at version 0.x, and this package is the part of it most likely to change: it has been
 * shaped by three transports in one repository, and a fourth written elsewhere may well need it to
 * move. Until 1.0 it may change incompatibly in any minor version (0.x to 0.y), and a release that
 * changes it says so; a patch version (0.x.y to 0.x.z) does not change it. A transport should
 * therefore depend on the same minor version of channels-core that it was built against (the
 * {@code hoare-bom} keeps the modules of one release together). From 1.0 on it follows semantic
 * versioning like the rest of the API. The same holds for {@code dev.hoare.channels.wire} and for
 * {@link dev.hoare.channels.StreamChannels}. Applications should make {@code StreamOptions} with
 * {@code StreamOptions.defaults().with...(...)}, not its record constructor, which gains a
 * parameter whenever an option is added.
 */
package dev.hoare.channels.spi;
