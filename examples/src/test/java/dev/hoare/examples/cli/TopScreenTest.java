package dev.hoare.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live view's loop on a JLine terminal made of streams (no pseudo-terminal): a resize
 * (WINCH) redraws at the new width, a key changes the sort, {@code q} ends it with the
 * terminal's attributes as they were.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TopScreenTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static void await(TopScreen screen, Predicate<List<String>> shown, String what) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!shown.test(screen.lastFrame())) {
            if (System.nanoTime() - end > 0) {
                fail("not drawn within " + DEADLINE + ": " + what + "; last frame: " + screen.lastFrame());
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aResizeRedrawsAtTheNewWidthKeysSortAndQQuitsGivingTheAttributesBack() throws Exception {
        TopSource source = () -> List.of(
                new TopRow("a-channel-name-that-shrinks", "inproc", 1, true, 8, 8, 10, 2, 1, 0, List.of()),
                new TopRow("busy", "uds", 1, true, 1, 64, (System.nanoTime() / 1000), (System.nanoTime() / 1000) - 1, 0, 0, List.of()));
        PipedInputStream keysIn = new PipedInputStream();
        OutputStream keys = new PipedOutputStream(keysIn);
        OutputStream screenOut = OutputStream.nullOutputStream();
        try (Terminal terminal = TerminalBuilder.builder().system(false).type("xterm-256color").streams(keysIn, screenOut)
                .size(new Size(140, 20)).build()) {
            Attributes before = new Attributes(terminal.getAttributes());
            TopScreen screen = new TopScreen(terminal, source, Duration.ofMillis(100), TopView.Sort.FILL);
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
                try {
                    screen.run();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofPlatform().daemon().start(r));

            await(screen, f -> f.size() == 4 && f.get(2).contains("[####################]"), "the first frame at 140 columns, with bars");
            assertTrue(screen.lastFrame().get(0).endsWith("sorted by fill"), screen.lastFrame().toString());
            assertTrue(screen.lastFrame().get(2).startsWith("a-channel-name-that-shrinks "), "the full buffer first: " + screen.lastFrame());

            terminal.setSize(new Size(60, 20));
            terminal.raise(Terminal.Signal.WINCH);
            await(screen, f -> f.size() == 4 && f.stream().allMatch(l -> l.length() <= 60) && f.stream().anyMatch(l -> l.length() > 55),
                    "a frame at 60 columns");
            assertFalse(String.join("\n", screen.lastFrame()).contains("["), "no bars at 60 columns: " + screen.lastFrame());

            keys.write('r');
            keys.flush();
            await(screen, f -> f.get(2).startsWith("busy "), "sorted by rate, the busy one first (the summary is cut at 60 columns)");

            keys.write('q');
            keys.flush();
            run.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            Attributes after = terminal.getAttributes();
            assertEquals(before.getLocalFlags(), after.getLocalFlags(), "line editing, echo and signal keys as before");
            assertEquals(before.getInputFlags(), after.getInputFlags());
        }
    }
}
