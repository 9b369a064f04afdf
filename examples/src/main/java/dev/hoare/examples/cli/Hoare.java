package dev.hoare.examples.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code hoare} command ({@code ./hoare}, or {@code java -jar examples/target/hoare.jar}): the
 * tour, and tools to talk to channels and look at them from a shell. Exit codes: 0 done, 1 the
 * operation failed (a missing peer, a refused permission, a value too large for the peer: one
 * line on stderr, the stack trace with {@code --verbose}), 2 bad arguments (one line on stderr):
 * what picocli refuses, and what a command reads from its arguments ({@link #usage}: a URI, a
 * name), never a failure of the operation itself.
 *
 * <p>Help text: each element of a {@code description} or {@code footer} is a paragraph, wrapped
 * here at spaces only ({@link HelpText}); an element that starts with a space (an example command)
 * is kept as it is.
 */
@Command(name = "hoare", mixinStandardHelpOptions = true, versionProvider = Hoare.Version.class,
        description = {"Go-style channels for Java, in one process and across processes.", "Start with: hoare tour"},
        footer = {"", Hoare.URI_OPTIONS_TITLE, Hoare.URI_OPTIONS_ALL, Hoare.URI_OPTIONS_FIFO, Hoare.URI_OPTIONS_UDS,
                Hoare.URI_OPTIONS_SHM, Hoare.URI_OPTIONS_AERON},
        subcommands = {TourCommand.class, SendCommand.class, RecvCommand.class, LsCommand.class, RmCommand.class,
                BenchCommand.class, TopCommand.class, ChildCommand.class, CommandLine.HelpCommand.class})
public final class Hoare implements Runnable {
    /** Exit code of a failed operation. */
    static final int FAILED = 1;
    /** Exit code of bad arguments. */
    static final int USAGE = 2;

    /** The transports' URI options (docs/fifo.md, uds.md, shm.md, aeron.md), in the help of hoare, send and recv. */
    static final String URI_OPTIONS_TITLE = "URI options, after '?' and joined by '&' (as in"
            + " 'shm:orders?capacityBytes=65536&timeout=2s'):";
    static final String URI_OPTIONS_ALL = "  all:  capacity=N values the sender may run ahead (64), maxFrame=BYTES (16777216),"
            + " timeout=D how long opening waits for the peer (10s; hoare's --timeout when not given),"
            + " liveness=D a peer silent this long is lost (0s: off, the default; one-way fifo:/shm: give it to both ends)";
    static final String URI_OPTIONS_FIFO = "  fifo: no others";
    static final String URI_OPTIONS_UDS = "  uds:  listen=false|true|one (recv: be the server; one: for one sender), allowedUsers=NAME|UID,..."
            + " (the peers' users; default: this user only)";
    static final String URI_OPTIONS_SHM = "  shm:  capacityBytes=N (the ring, made by recv: a power of two, 1024 to 1073741824; 1048576),"
            + " wait=backoff|spin|yield|block (how recv waits; backoff)";
    static final String URI_OPTIONS_AERON = "  aeron: aeron:udp?endpoint=HOST:PORT&stream=N is Aeron's UDP channel and stream (1001),"
            + " across machines (recv binds HOST:PORT, an address of its host; send publishes to it; the rest of Aeron's channel"
            + " string may follow, such as mtu=8k, term-length=16m), senders=many|one (recv: many, the default, takes every"
            + " sender and stops only at --count or --timeout; one takes the first, whose close ends it), allow=HOST,..."
            + " (the peers taken; default: any), driver=embedded|embedded:NAME|DIR (the media driver: embedded in each"
            + " process by default, or an external one's directory); here liveness=5s and maxFrame is what one Aeron"
            + " message holds unless given. Java needs --add-exports java.base/jdk.internal.misc=ALL-UNNAMED for Aeron:"
            + " hoare.jar's manifest says so for java -jar";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of failures.")
    boolean verbose;

    /** Without a command: the usage, and exit 2 (what to run is missing). */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is missing: try 'hoare tour'");
    }

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command line; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        CommandLine cl = commandLine();
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        cl.setParameterExceptionHandler((e, arguments) -> {
            err.println("hoare: " + e.getMessage() + " (see 'hoare " + commandName(e.getCommandLine()) + "--help')");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (verbose) {
                e.printStackTrace(err);
            }
            err.println("hoare: " + oneLine(e)); // bad arguments found by a command came as a ParameterException (usage)
            return FAILED;
        });
        return cl.execute(args);
    }

    /** The version of the build ({@code version.properties}, filtered by Maven from the pom's version). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws java.io.IOException {
            java.util.Properties p = new java.util.Properties();
            try (java.io.InputStream in = Hoare.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            String v = p.getProperty("version", "");
            return new String[] {"hoare " + (v.isEmpty() || v.startsWith("${") ? "(version unknown: not built by Maven)" : v)};
        }
    }

    /** @return the command line of {@code hoare}, its help's paragraphs wrapped ({@link HelpText}) */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Hoare());
        HelpText.wrapParagraphs(cl);
        return cl;
    }

    private static String commandName(CommandLine cl) {
        return cl == null || cl.getParent() == null ? "" : cl.getCommandName() + " ";
    }

    /** Reads something from the arguments (a URI, a name); what it returns. */
    @FunctionalInterface
    interface Reading<T> {
        T read() throws Exception;
    }

    /**
     * Runs what reads a command's arguments (parses a URI, validates a name, opens a channel by
     * URI): an {@link IllegalArgumentException} from it is bad usage (exit 2). Any other failure,
     * and any {@code IllegalArgumentException} later (a value too large for the peer's frame), is
     * the operation's (exit 1).
     *
     * @param spec the command, for its name in the message
     * @param reading what to run
     * @return what it returned
     */
    static <T> T usage(CommandLine.Model.CommandSpec spec, Reading<T> reading) throws Exception {
        try {
            return reading.read();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), oneLine(e), e);
        }
    }

    /**
     * A failure as one line: the messages along its cause chain, each once. No class name of
     * Hoare's shows: a {@link dev.hoare.channels.ChannelClosedException} (whose message is
     * {@code "channel closed: " + cause}) gives way to its cause; a peer's close cause reads as the
     * peer sent it ({@code java.lang.IllegalStateException: boom}).
     */
    static String oneLine(Throwable e) {
        StringBuilder m = new StringBuilder();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof dev.hoare.channels.ChannelClosedException && t.getCause() != null && m.isEmpty()) {
                m.append("channel closed");
                continue;
            }
            if (t instanceof dev.hoare.channels.ChannelClosedException && t.getCause() != null) {
                continue; // the message is its cause's toString(): the cause speaks for itself next
            }
            String d = describe(t);
            if (t.getCause() != null) { // "x: pkg.Cause: y" (a message built from cause.toString()) says "x: y"
                d = d.replace(t.getCause().toString(), describe(t.getCause()));
            }
            if (m.indexOf(d) >= 0) {
                continue;
            }
            if (!m.isEmpty()) {
                m.append(": ");
            }
            m.append(d);
        }
        return m.toString().replace('\n', ' ');
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        if (e instanceof dev.hoare.channels.wire.Frame.RemoteCause) {
            return m; // the peer's exception's class and message, as the peer sent them
        }
        return e instanceof java.nio.file.AccessDeniedException && !m.contains("permission denied") ? "permission denied: " + m
                : e instanceof java.nio.file.NoSuchFileException n && n.getReason() == null ? "no such file: " + m : m;
    }
}
