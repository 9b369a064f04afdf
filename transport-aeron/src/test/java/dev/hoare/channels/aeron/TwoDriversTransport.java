package dev.hoare.channels.aeron;

import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.spi.ChannelTransport;
import dev.hoare.channels.spi.Endpoint;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * For tests: {@code aeron-two-drivers:udp?...} is {@code aeron:udp?...} with the receiving end on
 * the embedded driver {@code embedded:receiving} and the sending end on {@code embedded:sending}
 * of its JVM, so that even two ends in one JVM talk through two media drivers over loopback UDP,
 * as two hosts would (the contract kit names one URI for both ends).
 */
public final class TwoDriversTransport implements ChannelTransport {
    /** Made by {@link java.util.ServiceLoader}. */
    public TwoDriversTransport() {
    }

    @Override
    public String scheme() {
        return "aeron-two-drivers";
    }

    private static Endpoint on(Endpoint e, String driver) {
        Map<String, String> options = new LinkedHashMap<>(e.options());
        options.put("driver", driver);
        return new Endpoint(e.uri(), "aeron", e.address(), options);
    }

    @Override
    public <T> SendChannel<T> openSend(Endpoint endpoint, Codec<T> codec) throws IOException {
        return new AeronTransport().openSend(on(endpoint, "embedded:sending"), codec);
    }

    @Override
    public <T> ReceiveChannel<T> openReceive(Endpoint endpoint, Codec<T> codec) throws IOException {
        return new AeronTransport().openReceive(on(endpoint, "embedded:receiving"), codec);
    }
}
