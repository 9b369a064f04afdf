package dev.hoare.examples.cli;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.SendChannel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hoare send URI [VALUE...]}: values as UTF-8 strings, one per message; standard input's lines without values. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Sends values to a channel, then closes it.",
                "Values are UTF-8 strings, one message each: the VALUEs given, or else each line of",
                "standard input.",
                "  echo hi | hoare send uds:/run/app/in.sock",
                "  hoare send fifo:orders espresso cortado"})
final class SendCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URI", description = "fifo:NAME, fifo:/path, uds:/path, shm:NAME, shm:/path (options after '?')")
    URI uri;

    @Parameters(index = "1..*", paramLabel = "VALUE", description = "the values; none: read lines from standard input")
    List<String> values;

    @Override
    public Integer call() throws Exception {
        try (SendChannel<String> out = Channels.openSend(uri, Codec.utf8())) {
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
