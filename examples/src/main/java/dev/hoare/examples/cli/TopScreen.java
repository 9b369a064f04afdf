package dev.hoare.examples.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

/**
 * The live view of {@code hoare top} on a JLine terminal: raw mode and the alternate screen while
 * it runs, a frame from {@link TopView#render} every interval, and at once on a key or a resize.
 *
 * <p>Keys: {@code f} sort by fill, {@code r} sort by rate, {@code q} or Ctrl-C quits. Ctrl-C is read
 * as a key: raw mode here also turns the terminal's signal keys off, so it works in a process
 * started with SIGINT ignored (a background job of a script); a SIGINT sent by {@code kill} quits
 * too. One thread (the caller's) samples, draws and reads keys; the signal handlers
 * only set flags that it reads within {@link #KEY_POLL_MS}. The terminal is given back as it was
 * (attributes, main screen, cursor) on every way out: a return, an exception, and a JVM shutdown
 * (SIGTERM) through a hook; {@link #restore} runs once whichever comes first.
 */
final class TopScreen {
    /** How long a key read waits at most, so that flags set by signal handlers are seen soon. */
    private static final long KEY_POLL_MS = 100;
    private static final int CTRL_C = 3;

    private final Terminal terminal;
    private final TopSource source;
    private final long intervalNanos;
    private TopView.Sort sort;
    private final AtomicBoolean quit = new AtomicBoolean();
    private final AtomicBoolean resized = new AtomicBoolean();
    private final AtomicBoolean restored = new AtomicBoolean();
    private Attributes saved;
    /** The frame drawn last, as text (for tests: what the screen shows, without the escape codes). */
    private volatile List<String> lastFrame = List.of();

    TopScreen(Terminal terminal, TopSource source, Duration interval, TopView.Sort sort) {
        this.terminal = terminal;
        this.source = source;
        this.intervalNanos = interval.toNanos();
        this.sort = sort;
    }

    /** Runs until {@code q}, Ctrl-C or SIGINT; the terminal is restored when it returns or throws. */
    void run() throws IOException, InterruptedException {
        saved = terminal.enterRawMode();
        Attributes raw = terminal.getAttributes();
        raw.setLocalFlag(Attributes.LocalFlag.ISIG, false); // Ctrl-C comes as a key, whatever SIGINT's disposition
        terminal.setAttributes(raw);
        Thread hook = new Thread(this::restore, "hoare-top-restore");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            terminal.handle(Terminal.Signal.INT, s -> quit.set(true));
            terminal.handle(Terminal.Signal.WINCH, s -> resized.set(true));
            terminal.puts(Capability.enter_ca_mode);
            terminal.puts(Capability.keypad_xmit);
            terminal.puts(Capability.cursor_invisible);
            terminal.flush();
            loop();
        } finally {
            restore();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) restore, which does nothing the second time
            }
        }
    }

    private void loop() throws IOException {
        Display display = new Display(terminal, true);
        Size size = size();
        display.resize(size.getRows(), size.getColumns());
        display.clear();
        NonBlockingReader keys = terminal.reader();
        TopView.Sample previous = null;
        TopView.Sample current = new TopView.Sample(source.sample(), System.nanoTime());
        long next = current.nanos() + intervalNanos;
        boolean draw = true;
        while (!quit.get()) {
            if (resized.getAndSet(false)) {
                size = size();
                display.resize(size.getRows(), size.getColumns());
                display.clear();
                draw = true;
            }
            if (System.nanoTime() - next >= 0) {
                previous = current;
                current = new TopView.Sample(source.sample(), System.nanoTime());
                next = current.nanos() + intervalNanos;
                draw = true;
            }
            if (draw) {
                List<String> frame = TopView.render(current, previous, size.getColumns(), size.getRows(), sort);
                display.update(styled(frame, size.getColumns()), 0);
                lastFrame = frame;
                terminal.flush();
                draw = false;
            }
            long wait = Math.max(1, Math.min(KEY_POLL_MS, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime())));
            int c = keys.read(wait);
            switch (c) {
                case 'q', 'Q', CTRL_C, NonBlockingReader.EOF -> quit.set(true);
                case 'f', 'F' -> {
                    draw = sort != TopView.Sort.FILL;
                    sort = TopView.Sort.FILL;
                }
                case 'r', 'R' -> {
                    draw = sort != TopView.Sort.RATE;
                    sort = TopView.Sort.RATE;
                }
                default -> {
                    // a timeout, or a key that means nothing here
                }
            }
        }
    }

    /** @return the frame drawn last, as text; empty before the first */
    List<String> lastFrame() {
        return lastFrame;
    }

    /** The terminal's size; 80x24 where it does not know (a pseudo-terminal nobody sized). */
    private Size size() {
        Size s = terminal.getSize();
        return new Size(s.getColumns() > 0 ? s.getColumns() : 80, s.getRows() > 0 ? s.getRows() : 24);
    }

    /**
     * The frame with styles: the summary line with the keys after it, the header in reverse video,
     * a dead pid in bold red.
     */
    private static List<AttributedString> styled(List<String> lines, int width) {
        return java.util.stream.IntStream.range(0, lines.size()).mapToObj(i -> {
            String line = lines.get(i);
            if (i == 0) {
                String keys = "   f fill  r rate  q quit";
                return new AttributedString(line.length() + keys.length() <= width ? line + keys : line, AttributedStyle.BOLD);
            }
            if (i == 1 && line.startsWith("NAME")) {
                return new AttributedString(TopView.clip(line + " ".repeat(Math.max(0, width - line.length())), width),
                        AttributedStyle.INVERSE);
            }
            AttributedStringBuilder b = new AttributedStringBuilder();
            int from = 0;
            for (int at = line.indexOf("(dead)"); at >= 0; at = line.indexOf("(dead)", from)) {
                int pidStart = line.lastIndexOf(' ', at) + 1;
                b.append(line.substring(from, pidStart));
                b.styled(AttributedStyle.BOLD.foreground(AttributedStyle.RED), line.substring(pidStart, at + "(dead)".length()));
                from = at + "(dead)".length();
            }
            return b.append(line.substring(from)).toAttributedString();
        }).toList();
    }

    /** Gives the terminal back: attributes, main screen, cursor. Runs once; later calls do nothing. */
    private void restore() {
        if (saved == null || !restored.compareAndSet(false, true)) {
            return;
        }
        terminal.puts(Capability.cursor_visible);
        terminal.puts(Capability.keypad_local);
        terminal.puts(Capability.exit_ca_mode);
        terminal.flush();
        terminal.setAttributes(saved);
    }
}
