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
 * The {@code hoare} command ({@code java -jar examples/target/hoare.jar}): the tour, and tools to
 * talk to channels and look at them from a shell. Exit codes: 0 done, 1 the operation failed (a
 * missing peer, a refused permission: one line on stderr, the stack trace with
 * {@code --verbose}), 2 bad arguments (one line on stderr).
 */
@Command(name = "hoare", mixinStandardHelpOptions = true, version = "hoare 0.1.0",
        description = "Go-style channels for Java, in one process and across processes.%n"
                + "Start with: hoare tour",
        subcommands = {TourCommand.class, SendCommand.class, RecvCommand.class, LsCommand.class, RmCommand.class,
                BenchCommand.class, ChildCommand.class, CommandLine.HelpCommand.class})
public final class Hoare implements Runnable {
    /** Exit code of a failed operation. */
    static final int FAILED = 1;
    /** Exit code of bad arguments. */
    static final int USAGE = 2;

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
        CommandLine cl = new CommandLine(new Hoare());
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
            if (e instanceof IllegalArgumentException) { // a bad URI or option, found while opening
                err.println("hoare: " + oneLine(e));
                return USAGE;
            }
            err.println("hoare: " + oneLine(e));
            return FAILED;
        });
        return cl.execute(args);
    }

    private static String commandName(CommandLine cl) {
        return cl == null || cl.getParent() == null ? "" : cl.getCommandName() + " ";
    }

    /** A failure as one line: its message and, if different, its cause's. */
    static String oneLine(Throwable e) {
        String m = describe(e);
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !m.contains(cause.getMessage())) {
            m += ": " + describe(cause);
        }
        return m.replace('\n', ' ');
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return e instanceof java.nio.file.AccessDeniedException && !m.contains("permission denied") ? "permission denied: " + m
                : e instanceof java.nio.file.NoSuchFileException ? "no such file: " + m : m;
    }
}
