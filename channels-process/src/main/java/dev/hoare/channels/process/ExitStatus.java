package dev.hoare.channels.process;

/**
 * Says what a child's exit status means, for messages. The JDK reports a child killed by signal
 * {@code n} as status {@code 128 + n} (as shells do), so a status from 129 to 159 is read as that
 * signal; a program that calls {@code exit(137)} itself is indistinguishable from one killed by
 * SIGKILL.
 */
final class ExitStatus {
    private ExitStatus() {
    }

    /** Linux's numbers (x86-64 and arm64 share them up to 31). */
    private static final String[] SIGNALS = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM",
        "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    /**
     * @param status the exit status as {@link Process#exitValue()} reports it
     * @return {@code "status 137 (killed by SIGKILL)"}, {@code "status 0"}, ...
     */
    static String describe(int status) {
        int signal = status - 128;
        if (signal > 0 && signal < SIGNALS.length) {
            return "status " + status + " (killed by " + SIGNALS[signal] + ")";
        }
        return "status " + status;
    }
}
