package dev.hoare.channels.reactive;

import dev.hoare.channels.Channel;
import dev.hoare.channels.signal.Signal;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;

/**
 * A child JVM for {@link ReactiveSignalsTest}: prints READY, then one line per event; the parent
 * sends it real signals. Every mode ends by itself after 60 s at most.
 */
public final class SignalFluxChild {
    private SignalFluxChild() {
    }

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> say("HOOK RAN")));
        CountDownLatch never = new CountDownLatch(1);
        switch (args[0]) {
            case "default" -> {
                ReactiveSignals.flux(Signal.USR1, Signal.TERM).subscribe(e -> say("GOT " + e.signal()));
                ReactiveSignals.flux(Signal.USR1).subscribe(e -> say("ALSO GOT " + e.signal()));
                say("READY");
                never.await(60, TimeUnit.SECONDS);
            }
            case "takeover" -> {
                Channel<Integer> input = Channel.buffered(100);
                for (int i = 0; i < 10; i++) {
                    input.send(i);
                }
                CountDownLatch term = new CountDownLatch(1);
                ReactiveSignals.takeOver(Signal.TERM).subscribe(e -> {
                    say("GOT " + e.signal());
                    input.close(); // graceful shutdown: stop taking input, drain what is there
                    term.countDown();
                });
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
                Disposable d = ReactiveSignals.flux(Signal.USR1).subscribe(e -> say("GOT " + e.signal()));
                d.dispose(); // the last subscriber left: USR1's default action (terminate) is back
                say("READY");
                never.await(60, TimeUnit.SECONDS);
            }
            case "ignored" -> { // started under nohup: HUP is ignored
                ReactiveSignals.flux(Signal.HUP).subscribe(e -> say("GOT " + e.signal()), e -> say("REFUSED " + e.getMessage()));
                say("READY");
                System.exit(0);
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
