package dev.hoare.channels.signal;

/** A child JVM that sends one signal with {@link Signals#send} and prints SENT, or the failure: {@code SendSignalChild PID NAME}. */
public final class SendSignalChild {
    private SendSignalChild() {
    }

    public static void main(String[] args) {
        try {
            Signals.send(Long.parseLong(args[0]), Signal.valueOf(args[1]));
            System.out.println("SENT");
        } catch (Exception e) {
            System.out.println("FAILED " + e);
        }
    }
}
