package dev.hoare.channels.signal;

/**
 * POSIX signals by name, with the numbers Linux uses on x86-64 and ARM64. Those the JVM keeps for
 * itself ({@link #isReserved()}) cannot be handled and are refused by {@link Signals}.
 */
public enum Signal {
    HUP(1, false),
    INT(2, false),
    QUIT(3, true),
    ILL(4, true),
    TRAP(5, true),
    ABRT(6, false),
    BUS(7, true),
    FPE(8, true),
    KILL(9, true),
    USR1(10, false),
    SEGV(11, true),
    USR2(12, true),
    PIPE(13, false),
    ALRM(14, false),
    TERM(15, false),
    CHLD(17, false),
    CONT(18, false),
    STOP(19, true),
    TSTP(20, false),
    TTIN(21, false),
    TTOU(22, false),
    URG(23, false),
    XCPU(24, false),
    XFSZ(25, false),
    VTALRM(26, false),
    PROF(27, false),
    WINCH(28, false),
    IO(29, false),
    SYS(31, false);

    private final int number;
    private final boolean reserved;

    Signal(int number, boolean reserved) {
        this.number = number;
        this.reserved = reserved;
    }

    /** @return the signal number on Linux */
    public int number() {
        return number;
    }

    /**
     * @return whether the JVM keeps this signal for itself: QUIT (thread dumps), ILL, TRAP, BUS,
     *     FPE, SEGV (its own error handling), KILL and STOP (cannot be caught at all) and USR2
     *     (thread suspend/resume)
     */
    public boolean isReserved() {
        return reserved;
    }

    /** @return whether a handler chains to the JVM's own by default, so that shutdown hooks run */
    public boolean endsTheJvmByDefault() {
        return this == TERM || this == INT || this == HUP;
    }
}
