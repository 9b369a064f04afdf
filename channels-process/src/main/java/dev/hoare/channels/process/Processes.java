package dev.hoare.channels.process;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.remote.StreamChannels.Duplex;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Channels to a child process over its standard input and output: a channel each way, frames of
 * the wire format (docs/wire-format.md, "A channel each way over one connection") with credits,
 * so the child may be written in any language. The parent calls {@link #spawn}; a Java child
 * calls {@link #parent} (a Python child: docs/processes.md).
 *
 * <pre>{@code
 * try (ChildProcess<String, String> child = Processes.spawn(
 *         new ProcessBuilder("java", "-cp", classPath, "my.Child"), Codec.utf8(), Codec.utf8())) {
 *     child.out().send("hello");
 *     String answer = child.in().receive();
 * }                                         // closes its input, waits for it to exit (TERM, KILL after the grace)
 *
 * // in my.Child
 * try (Duplex<String, String> parent = Processes.parent(Codec.utf8(), Codec.utf8())) {
 *     for (String request : parent.in()) {      // until the parent closes its channel
 *         parent.out().send(request.toUpperCase());
 *     }
 * }
 * }</pre>
 */
public final class Processes {
    private Processes() {
    }

    /** {@link #parent} ran: a process has one standard input and output. */
    private static final AtomicBoolean PARENT_TAKEN = new AtomicBoolean();

    /**
     * {@link #spawn(ProcessBuilder, Codec, Codec, ProcessOptions)} with the
     * {@link ProcessOptions#defaults() defaults}.
     *
     * @param builder the command, directory and environment of the child
     * @param out the codec of what we send (the child's receiving codec)
     * @param in the codec of what we receive (the child's sending codec)
     * @param <S> what we send
     * @param <R> what we receive
     * @return the running child with its channels
     * @throws IOException as the full overload says
     */
    public static <S, R> ChildProcess<S, R> spawn(ProcessBuilder builder, Codec<S> out, Codec<R> in) throws IOException {
        return spawn(builder, out, in, ProcessOptions.defaults());
    }

    /**
     * Starts a child and runs a channel each way over its standard input and output: waits (up
     * to the options' handshake timeout) for the child's handshake, which checks the codecs.
     *
     * <p>The builder's standard input and output must be pipes (its default), and its standard
     * error not merged into the output: refused otherwise. Its standard error is set to pass
     * through to ours ({@link ProcessBuilder.Redirect#INHERIT}) if it is a pipe (the default:
     * nobody would read it, and a full pipe stops the child), or to a pipe read as
     * {@link ChildProcess#stderr()} lines with {@link ProcessOptions#withStderrLines}; a file
     * or {@code DISCARD} set on the builder is kept.
     *
     * @param builder the command, directory and environment of the child (its error redirect is set as above)
     * @param out the codec of what we send (the child's receiving codec)
     * @param in the codec of what we receive (the child's sending codec)
     * @param options capacity, frame size, handshake timeout, grace, standard error
     * @param <S> what we send
     * @param <R> what we receive
     * @return the running child with its channels
     * @throws IOException if the child cannot be started; if it exits before its handshake (a
     *     {@link PeerLostException} with its exit status); if it writes something that is not a
     *     frame (a {@link ChannelProtocolException}: a program that prints to its standard output,
     *     or that is not a Hoare child) or uses other codecs; or if its handshake does not come in
     *     time. A child that failed is ended (SIGTERM, then SIGKILL after the grace time).
     * @throws IllegalArgumentException if the builder's standard input or output is not a pipe,
     *     or its standard error is merged into the output
     */
    public static <S, R> ChildProcess<S, R> spawn(ProcessBuilder builder, Codec<S> out, Codec<R> in, ProcessOptions options)
            throws IOException {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(options, "options");
        if (builder.redirectInput() != ProcessBuilder.Redirect.PIPE || builder.redirectOutput() != ProcessBuilder.Redirect.PIPE) {
            throw new IllegalArgumentException("the child's standard input and output carry its channels: they must be pipes (ProcessBuilder.Redirect.PIPE)");
        }
        if (builder.redirectErrorStream()) {
            throw new IllegalArgumentException("the child's standard error would be merged into the frames of its standard output (redirectErrorStream)");
        }
        if (options.stderrLines()) {
            builder.redirectError(ProcessBuilder.Redirect.PIPE);
        } else if (builder.redirectError() == ProcessBuilder.Redirect.PIPE) {
            builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process process = builder.start();
        String description = "child pid " + process.pid() + " (" + programName(builder.command()) + ")";
        ProcessLink link = new ProcessLink(process, description);
        ReceiveChannel<String> stderr = options.stderrLines() ? StderrLines.start(process.getErrorStream(), description) : null;
        try {
            Duplex<S, R> channels = StreamChannels.duplex(link, out, in, options.stream());
            return new ChildProcess<>(process, description, link, channels, stderr, options.grace());
        } catch (IOException | RuntimeException e) {
            end(process, options);
            link.close();
            if (e instanceof ChannelProtocolException protocol && !protocol.getMessage().contains("mismatch")) {
                throw new ChannelProtocolException(description + ": its standard output does not carry Hoare frames ("
                        + protocol.getMessage() + "); a child must write nothing else there (Processes.parent moves"
                        + " System.out to standard error)", protocol);
            }
            throw e;
        }
    }

    /** Ends a child that failed its handshake: SIGTERM, the grace time, SIGKILL. */
    private static void end(Process process, ProcessOptions options) {
        process.destroy();
        try {
            if (!process.waitFor(options.grace().toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly().waitFor(ChildProcess.KILL_WAIT.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String programName(List<String> command) {
        if (command.isEmpty()) {
            return "?";
        }
        Path name = Path.of(command.getFirst()).getFileName();
        return name == null ? command.getFirst() : name.toString();
    }

    /**
     * {@link #parent(Codec, Codec, StreamOptions)} with the {@link StreamOptions#defaults() defaults}.
     *
     * @param out the codec of what this child sends (the parent's receiving codec)
     * @param in the codec of what this child receives (the parent's sending codec)
     * @param <S> what this child sends
     * @param <R> what this child receives
     * @return the channels to and from the parent
     * @throws IOException as the full overload says
     */
    public static <S, R> Duplex<S, R> parent(Codec<S> out, Codec<R> in) throws IOException {
        return parent(out, in, StreamOptions.defaults());
    }

    /**
     * The child's side of {@link #spawn}: a channel each way to the parent over this process's
     * standard input and output. First it moves printing out of the way of the frames:
     * {@link System#out} becomes {@link System#err} (a stray {@code println} goes to standard
     * error), and {@link System#in} an empty stream (a stray read cannot take the parent's frames);
     * the frames go to the standard output descriptor itself. Call it before anything prints to
     * standard output: what was printed before reaches the parent as bytes that are not frames,
     * and a stream that captured {@code System.out} earlier (a logging library's console
     * appender, say) still writes there.
     *
     * <p>When the parent closes its channel, {@link Duplex#in()} closes after its values; when the
     * parent dies, it closes with {@link PeerLostException}. Close the duplex before exiting (its
     * close waits until the close frame is written), or the parent sees the child exit without
     * closing (a {@code PeerLostException} with status 0). Callable once per process.
     *
     * @param out the codec of what this child sends (the parent's receiving codec)
     * @param in the codec of what this child receives (the parent's sending codec)
     * @param options capacity of the channel from the parent (how far the parent may run ahead),
     *     maximum frame, how long to wait for the parent's handshake; I/O runs on platform threads
     * @param <S> what this child sends
     * @param <R> what this child receives
     * @return the channels to and from the parent
     * @throws IOException if the handshake fails or does not come in time (not spawned by a
     *     Hoare parent, or codecs that differ)
     * @throws IllegalStateException if called before in this process
     */
    public static <S, R> Duplex<S, R> parent(Codec<S> out, Codec<R> in, StreamOptions options) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(options, "options");
        if (!PARENT_TAKEN.compareAndSet(false, true)) {
            throw new IllegalStateException("Processes.parent was called before: this process's standard input and output already carry channels");
        }
        System.out.flush();
        FileOutputStream frames = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        FileInputStream stdin = new FileInputStream(FileDescriptor.in);
        System.setIn(InputStream.nullInputStream());
        String description = "parent pid " + ProcessHandle.current().parent().map(p -> Long.toString(p.pid())).orElse("?")
                + " (standard input and output)";
        return StreamChannels.duplex(new StdioLink(stdin, frames, description), StreamChannels.Role.ACCEPTING, out, in, options.withPlatformThreads(true));
    }
}
