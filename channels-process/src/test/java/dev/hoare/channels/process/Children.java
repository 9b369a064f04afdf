package dev.hoare.channels.process;

import dev.hoare.channels.Codec;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.remote.StreamChannels.Duplex;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameWriter;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The Java children of {@link ProcessesTest}, one per first argument; the second, where there is
 * one, is the capacity of the channel from the parent.
 * <pre>
 *   echo CAP          every value back, until the parent closes; then close and exit 0
 *   noisy CAP         echo, printing "stray VALUE" with System.out.println before each answer
 *   flood N           raw frames, written synchronously: the handshake, N values; then "written N"
 *                     on stderr, and sleep (to be killed)
 *   stream            values v0, v1, ... as fast as credits allow, for ever (to be killed)
 *   silent CAP        the handshake, then never reads, ignoring the close and its input's end
 *   ignore-term CAP   silent, and ignores SIGTERM too
 *   garbage           the handshake, then bytes that are not a frame on stdout
 * </pre>
 */
public final class Children {
    private Children() {
    }

    public static void main(String[] args) throws Exception {
        int capacity = args.length > 1 ? Integer.parseInt(args[1]) : StreamOptions.DEFAULT_CAPACITY;
        StreamOptions options = StreamOptions.defaults().withCapacity(capacity);
        switch (args[0]) {
            case "echo", "noisy" -> {
                try (Duplex<String, String> parent = Processes.parent(Codec.utf8(), Codec.utf8(), options)) {
                    for (String v : parent.in()) {
                        if (args[0].equals("noisy")) {
                            System.out.println("stray " + v); // System.out is stderr now
                        }
                        parent.out().send(v);
                    }
                }
            }
            case "flood" -> {
                int n = Integer.parseInt(args[1]);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                // the parent opened the connection: its channel is stream 1, this child's stream 2
                int parents = Frame.FIRST_STREAM;
                int ours = Frame.SECOND_STREAM;
                bytes.write(FrameWriter.encode(Frame.hello("utf8", Frame.DEFAULT_MAX_FRAME).onStream(parents))); // our receiver's
                bytes.write(FrameWriter.encode(Frame.hello("utf8", Frame.DEFAULT_MAX_FRAME).onStream(ours))); // our sender's
                bytes.write(FrameWriter.encode(Frame.credit(1).onStream(parents)));
                for (int i = 0; i < n; i++) {
                    bytes.write(FrameWriter.encode(Frame.data(("v" + i).getBytes(StandardCharsets.UTF_8)).onStream(ours)));
                }
                FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
                stdout.write(bytes.toByteArray()); // in the pipe when this returns
                System.err.println("written " + n);
                Thread.sleep(Long.MAX_VALUE);
            }
            case "stream" -> {
                Duplex<String, String> parent = Processes.parent(Codec.utf8(), Codec.utf8(), options);
                for (long i = 0; ; i++) {
                    parent.out().send("v" + i);
                }
            }
            case "silent", "ignore-term" -> {
                if (args[0].equals("ignore-term")) {
                    sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sun.misc.SignalHandler.SIG_IGN);
                }
                Processes.parent(Codec.utf8(), Codec.utf8(), options);
                System.err.println("ready");
                Thread.sleep(Long.MAX_VALUE);
            }
            case "garbage" -> {
                Processes.parent(Codec.utf8(), Codec.utf8(), options);
                FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
                stdout.write("this is not a frame\n".getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
