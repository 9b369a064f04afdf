package dev.hoare.channels.process;

import dev.hoare.channels.link.StreamLink;
import dev.hoare.channels.link.LinkStreams;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The child's side of {@link ProcessLink}: a two-way link over this process's standard input
 * (frames in) and the standard output file descriptor (frames out), read and written with blocking
 * I/O by the channel ends' platform threads. The end of the input is the parent's close of our
 * input, or its death: the engine reports it as a lost peer unless a close frame came first.
 *
 * <p>{@link #close} closes both descriptors (the JDK points descriptors 0 and 1 at
 * {@code /dev/null} instead of closing them, so the parent sees the end of our output and a stray
 * write to descriptor 1 goes nowhere). A thread blocked reading our input returns when the parent
 * closes its end; the link's threads are daemons, so this process can exit meanwhile.
 */
final class StdioLink extends StreamLink {
    private final FileInputStream stdin;
    private final FileOutputStream stdout;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final InputStream in = new LinkStreams.In() {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return stdin.read(b, off, len);
        }
    };

    private final OutputStream out = new LinkStreams.Out() {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            stdout.write(b, off, len);
        }
    };

    /**
     * @param stdin a stream on descriptor 0
     * @param stdout a stream on descriptor 1, taken before anything else could write to it
     */
    StdioLink(FileInputStream stdin, FileOutputStream stdout, String description) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.description = description;
    }

    @Override
    protected InputStream in() {
        return in;
    }

    @Override
    protected OutputStream out() {
        return out;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            stdout.close();
        } catch (IOException ignored) {
            // closed anyway
        }
        try {
            stdin.close();
        } catch (IOException ignored) {
            // closed anyway
        }
    }

    @Override
    public String describe() {
        return description;
    }

    /** {@inheritDoc} The parent process, whose pipes these are. */
    @Override
    public long peerPid() {
        return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    }

    @Override
    public String toString() {
        return "StdioLink[" + description + "]";
    }
}
