package dev.hoare.examples.cli;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.SendChannel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hoare send URI [VALUE...] [--timeout D]}: values as UTF-8 strings, one per message;
 * standard input's lines without values. {@code --timeout} is the opening's timeout unless the URI
 * sets its own.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Sends values to a channel, then closes it.",
                "Values are UTF-8 strings, one message each: the VALUEs given, or else each line of standard input."
                        + " Waits for the receiver up to --timeout (or the URI's timeout=, else 10 s).",
                "  hoare send fifo:orders espresso cortado",
                "  echo hi | hoare send uds:/tmp/app/in.sock",
                "  hoare send 'aeron:udp?endpoint=192.168.1.20:40123&stream=10' hi"},
        footer = {"", Hoare.URI_OPTIONS_TITLE, Hoare.URI_OPTIONS_ALL, Hoare.URI_OPTIONS_FIFO, Hoare.URI_OPTIONS_UDS,
                Hoare.URI_OPTIONS_SHM, Hoare.URI_OPTIONS_AERON})
final class SendCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URI", description = {"fifo:NAME, fifo:/path, uds:/path, shm:NAME,", "shm:/path, aeron:udp?endpoint=HOST:PORT",
            "(options after '?': see below)"})
    URI uri;

    @Parameters(index = "1..*", paramLabel = "VALUE", description = "the values; none: read lines from standard input")
    List<String> values;

    @Option(names = "--timeout", paramLabel = "D", converter = Durations.class,
            description = {"how long to wait for the receiver (500ms, 5s, 2m);", "default: the URI's timeout=, else 10 s"})
    Duration timeout;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (SendChannel<String> out = Hoare.usage(spec, () -> Channels.openSend(Durations.openingTimeout(uri, timeout), Codec.utf8()))) {
            if (values != null) {
                for (String v : values) {
                    out.send(v);
                }
            } else {
                BufferedReader lines = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line; (line = lines.readLine()) != null; ) {
                    out.send(line);
                }
            }
        }
        return 0;
    }
}
