package dev.hoare.channels.process;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ReceiveChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A child's standard error as a channel of lines: a platform daemon thread (a pipe read holds a
 * virtual thread's carrier) reads lines (UTF-8, malformed bytes replaced) and sends each into a
 * channel of {@link #CAPACITY}; at the end of the stream (the child exited or closed it) the
 * channel closes. While the channel is full the thread waits, so the pipe fills and a child that
 * keeps writing to its standard error then waits too: nothing is buffered without bound. Once
 * the application closes the channel, the thread reads the rest and discards it, so that the child
 * never blocks on its standard error.
 */
final class StderrLines {
    /** How many lines wait for the application at most. */
    static final int CAPACITY = 1024;

    private StderrLines() {
    }

    /**
     * @param stderr the child's standard error (a pipe)
     * @param description the child, for the thread's name
     * @return the lines
     */
    static ReceiveChannel<String> start(InputStream stderr, String description) {
        Channel<String> lines = Channel.buffered(CAPACITY);
        Thread.ofPlatform().daemon(true).name("hoare-stderr " + description).start(() -> pump(stderr, lines));
        return lines;
    }

    private static void pump(InputStream stderr, Channel<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                try {
                    lines.send(line);
                } catch (ChannelClosedException discarded) {
                    // the application closed the channel: read on, so that the child never blocks
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return; // not done to this thread; ends it if it ever is
                }
            }
        } catch (IOException ignored) {
            // the stream was closed under us: the end, as at end of stream
        } finally {
            lines.close();
        }
    }
}
