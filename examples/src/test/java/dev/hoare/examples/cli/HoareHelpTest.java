package dev.hoare.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The help of every command, as printed at the usual 80 columns. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HoareHelpTest {
    private static final List<String> COMMANDS = List.of("", "tour", "send", "recv", "ls", "rm", "bench", "top");

    private static String help(CommandLine root, String command) {
        CommandLine cl = command.isEmpty() ? root : root.getSubcommands().get(command);
        return cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.strip().split("\\s+")).toList();
    }

    /**
     * Every line break falls between words: the help at 80 columns has the very words of the help
     * printed unwrapped (1000 columns), in order. A word cut in two ("docs/benchmarks." then "md)."
     * on the next line, where picocli's BreakIterator allowed it) makes two words that are not there.
     */
    @Test
    void noLineOfAnyHelpBreaksAWord() {
        CommandLine unwrapped = new CommandLine(new Hoare());
        unwrapped.setUsageHelpWidth(1000);
        for (String command : COMMANDS) {
            String wrapped = help(Hoare.commandLine(), command);
            assertEquals(words(help(unwrapped, command)), words(wrapped), "hoare " + command + " --help:\n" + wrapped);
            for (String line : wrapped.lines().toList()) {
                assertTrue(line.length() <= 80, "longer than 80 columns in hoare " + command + " --help: " + line);
            }
        }
    }

    @Test
    void theHelpOfSendRecvAndHoareListsEachTransportsUriOptions() {
        for (String command : List.of("", "send", "recv")) {
            String help = help(Hoare.commandLine(), command);
            for (String option : List.of("capacity=", "maxFrame=", "timeout=", "liveness=", "listen=", "allowedUsers=", "capacityBytes=", "wait=",
                    "stream=", "senders=", "allow=", "driver=", "fifo:", "uds:", "shm:", "aeron:udp?endpoint=")) {
                assertTrue(help.contains(option), "hoare " + command + " --help does not name " + option + ":\n" + help);
            }
        }
    }

    @Test
    void paragraphsWrapAtSpacesAndALabelledOneHangsUnderItsText() {
        assertEquals(List.of("aaa bbb", "ccc"), List.of(HelpText.wrap(new String[] {"aaa bbb ccc"}, 8)));
        assertEquals(List.of("  x:  one two", "      three"), List.of(HelpText.wrap(new String[] {"  x:  one two three"}, 13)));
        assertEquals(List.of("a-very-long-word", "b"), List.of(HelpText.wrap(new String[] {"a-very-long-word b"}, 5)));
    }
}
