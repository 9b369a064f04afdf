package dev.hoare.examples.cli;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Received;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hoare recv URI [--count N] [--timeout D]}: prints each value received (UTF-8), one per
 * line. {@code --timeout} bounds the wait for each value and, unless the URI sets its own
 * {@code timeout=}, the opening (the wait for the sender).
 */
@Command(name = "recv", mixinStandardHelpOptions = true,
        description = {"Receives values from a channel and prints them, one per line.",
                "Values are UTF-8 strings. Waits for the sender up to --timeout (or the URI's timeout=, else 10 s)."
                        + " Stops when the sender closes the channel, after N values, or when none came for --timeout.",
                "  hoare recv fifo:orders --count 3",
                "  hoare recv 'uds:/tmp/app/out.sock?listen=one'",
                "    (listen=one: be the server, for one sender; a missing directory is made)",
                "  hoare recv 'aeron:udp?endpoint=192.168.1.20:40123&stream=10&senders=one'",
                "    (from another machine: bind an address of this one; senders=one: end when its sender closes)"},
        footer = {"", Hoare.URI_OPTIONS_TITLE, Hoare.URI_OPTIONS_ALL, Hoare.URI_OPTIONS_FIFO, Hoare.URI_OPTIONS_UDS,
                Hoare.URI_OPTIONS_SHM, Hoare.URI_OPTIONS_AERON})
final class RecvCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URI", description = {"fifo:NAME, fifo:/path, uds:/path, shm:NAME,", "shm:/path, aeron:udp?endpoint=HOST:PORT",
            "(options after '?': see below)"})
    URI uri;

    @Option(names = "--count", paramLabel = "N", description = "stop after N values")
    Integer count;

    @Option(names = "--timeout", paramLabel = "D", converter = Durations.class,
            description = {"stop when no value came for D (500ms, 5s, 2m),", "and wait at most D for the sender to open",
                    "(unless the URI has timeout=); default: wait for", "values as long as the sender is there"})
    Duration timeout;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (count != null && count < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--count must be >= 0, was " + count);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (ReceiveChannel<String> in = Hoare.usage(spec, () -> Channels.openReceive(Durations.openingTimeout(uri, timeout), Codec.utf8()))) {
            for (int n = 0; count == null || n < count; n++) {
                String value;
                if (timeout == null) {
                    Received<String> r = in.receiveResult();
                    if (r.isClosed()) {
                        if (r.cause().isPresent()) {
                            throw new java.io.IOException("the channel ended: " + Hoare.oneLine(r.cause().get()), r.cause().get());
                        }
                        break;
                    }
                    value = r.value();
                } else {
                    Optional<String> v;
                    try {
                        v = in.receive(timeout);
                    } catch (dev.hoare.channels.ChannelClosedException closed) {
                        if (closed.getCause() != null) {
                            throw new java.io.IOException("the channel ended: " + Hoare.oneLine(closed.getCause()), closed);
                        }
                        break;
                    }
                    if (v.isEmpty()) {
                        break;
                    }
                    value = v.get();
                }
                out.println(value);
                out.flush();
            }
        }
        return 0;
    }
}
