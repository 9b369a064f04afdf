package dev.hoare.channels.spi;

import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.io.IOException;

/**
 * A way for channel ends to reach each other, found by URI scheme through
 * {@link java.util.ServiceLoader} (register the class in
 * {@code META-INF/services/dev.hoare.channels.spi.ChannelTransport}). Core depends on no transport.
 *
 * <p>An endpoint must behave like a local channel end: blocking and non-blocking operations,
 * timeouts, iteration, close with cause reaching the peer (after the values sent before it), and
 * usable as a {@link dev.hoare.channels.Select} case. A lost peer shows as a close with
 * {@code PeerLostException}, never as a hang.
 */
public interface ChannelTransport {

    /** @return the URI scheme this transport serves, lower case, such as {@code "inproc"} */
    String scheme();

    /**
     * Opens the sending end named by {@code endpoint}.
     *
     * @param endpoint the parsed URI; the transport refuses options it does not know
     * @param codec how values become bytes (both ends must agree)
     * @param <T> the value type
     * @return the send channel
     * @throws IOException if the endpoint cannot be opened
     */
    <T> SendChannel<T> openSend(Endpoint endpoint, Codec<T> codec) throws IOException;

    /**
     * Opens the receiving end named by {@code endpoint}.
     *
     * @param endpoint the parsed URI
     * @param codec how bytes become values (both ends must agree)
     * @param <T> the value type
     * @return the receive channel
     * @throws IOException if the endpoint cannot be opened
     */
    <T> ReceiveChannel<T> openReceive(Endpoint endpoint, Codec<T> codec) throws IOException;
}
