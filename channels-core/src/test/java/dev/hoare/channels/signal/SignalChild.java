package dev.hoare.channels.signal;

import dev.hoare.channels.Channel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for {@link SignalsTest}: prints READY, then one line per event; the parent sends it
 * real signals. Every mode ends by itself after 60 s at most.
 */
public final class SignalChild {
    private SignalChild() {
    }

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> say("HOOK RAN")));
        CountDownLatch never = new CountDownLatch(1);
        switch (args[0]) {
            case "default" -> {
                Signals.handle(e -> say("GOT " + e.signal()), Signal.USR1, Signal.HUP, Signal.TERM);
                say("READY");
                never.await(60, TimeUnit.SECONDS);
            }
            case "takeover" -> {
                Channel<Integer> input = Channel.buffered(100);
                for (int i = 0; i < 10; i++) {
                    input.send(i);
                }
                CountDownLatch term = new CountDownLatch(1);
                Signals.takeOver(e -> {
                    say("GOT " + e.signal());
                    input.close(); // graceful shutdown: stop taking input, drain what is there
                    term.countDown();
                }, Signal.TERM);
                say("READY");
                if (term.await(60, TimeUnit.SECONDS)) {
                    int drained = 0;
                    for (Integer ignored : input) {
                        drained++;
                    }
                    say("DRAINED " + drained);
                    System.exit(0);
                }
            }
            case "restore" -> {
                Signals.Registration r = Signals.handle(e -> say("GOT " + e.signal()), Signal.USR1);
                r.close(); // the last handler left: USR1's default action (terminate) is back
                say("READY");
                never.await(60, TimeUnit.SECONDS);
            }
            case "ignored" -> { // started under nohup: HUP is ignored
                try {
                    Signals.handle(e -> say("GOT " + e.signal()), Signal.HUP);
                } catch (IllegalStateException e) {
                    say("REFUSED " + e.getMessage());
                }
                say("READY");
                System.exit(0);
            }
            case "channel" -> {
                var ch = Signals.channel(Signal.USR1);
                say("READY");
                say("GOT " + ch.receive().signal() + " FROM CHANNEL");
                System.exit(0);
            }
            case "channel-cancel" -> {
                var ch = Signals.channel(Signal.USR1);
                ch.cancel(); // the channel's registration is closed: USR1's default action (terminate) is back
                say("READY");
                never.await(60, TimeUnit.SECONDS);
            }
            case "throwing-handler" -> {
                Thread.setDefaultUncaughtExceptionHandler((t, e) -> say("UNCAUGHT " + e.getMessage()));
                Signals.handle(e -> {
                    throw new IllegalStateException("handler failed on " + e.signal());
                }, Signal.TERM);
                Signals.handle(e -> say("GOT " + e.signal()), Signal.TERM);
                say("READY");
                never.await(60, TimeUnit.SECONDS);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        say("TIMEOUT");
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
