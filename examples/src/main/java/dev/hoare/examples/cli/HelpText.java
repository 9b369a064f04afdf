package dev.hoare.examples.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Wraps the help's prose at spaces only. Picocli wraps a line longer than the usage width where
 * {@link java.text.BreakIterator} allows, which is inside a word too ({@code docs/benchmarks.}
 * then {@code md} on the next line); so each paragraph (one element of a {@code description} or
 * {@code footer}) is wrapped here to fit, and picocli has nothing left to wrap. A paragraph that
 * starts with spaces keeps them; one like {@code "  uds:  listen=..."} continues under the text
 * after its label.
 */
final class HelpText {
    /** Columns kept free at the right: picocli wraps a line that fills the width. */
    private static final int MARGIN = 2;
    private static final Pattern LABEL = Pattern.compile("^( +\\S+:\\s+)\\S");

    private HelpText() {
    }

    /** Wraps the description and footer of {@code cl} and of each of its subcommands, for its usage width. */
    static void wrapParagraphs(CommandLine cl) {
        UsageMessageSpec usage = cl.getCommandSpec().usageMessage();
        int width = cl.getUsageHelpWidth() - MARGIN;
        usage.description(wrap(usage.description(), width));
        usage.footer(wrap(usage.footer(), width));
        for (CommandLine sub : cl.getSubcommands().values()) {
            wrapParagraphs(sub);
        }
    }

    /**
     * @param paragraphs the paragraphs, as picocli holds them (with {@code %n}, if any, not yet formatted)
     * @param width the longest line
     * @return the lines: each paragraph split at spaces into lines of at most {@code width}
     *     characters (a single word longer than that stays whole, on a line of its own)
     */
    static String[] wrap(String[] paragraphs, int width) {
        List<String> lines = new ArrayList<>();
        for (String paragraph : paragraphs) {
            for (String p : paragraph.split("%n", -1)) {
                wrap(p, width, lines);
            }
        }
        return lines.toArray(String[]::new);
    }

    private static void wrap(String paragraph, int width, List<String> lines) {
        if (paragraph.length() <= width) {
            lines.add(paragraph);
            return;
        }
        Matcher label = LABEL.matcher(paragraph);
        String first = label.find() ? label.group(1) : paragraph.substring(0, paragraph.length() - paragraph.stripLeading().length());
        String hanging = " ".repeat(first.length());
        StringBuilder line = new StringBuilder(first);
        boolean empty = true; // no word on this line yet
        for (String word : paragraph.substring(first.length()).split(" +")) {
            if (!empty && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line = new StringBuilder(hanging);
                empty = true;
            }
            if (!empty) {
                line.append(' ');
            }
            line.append(word);
            empty = false;
        }
        lines.add(line.toString());
    }
}
