package dev.hoare.channels.contract;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.SendChannel;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * A writer process for tests of transports that many writers share (FIFO, shm):
 * {@code URI WRITER COUNT MAXSIZE} sends COUNT messages of random sizes (8 to MAXSIZE bytes), each
 * {@link #message}, then closes.
 */
public final class WriterChild {
    private WriterChild() {
    }

    public static void main(String[] args) throws Exception {
        int writer = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        int maxSize = Integer.parseInt(args[3]);
        SplittableRandom sizes = new SplittableRandom(writer);
        try (SendChannel<byte[]> out = Channels.openSend(URI.create(args[0]), Codec.bytes())) {
            System.out.println("OPEN");
            for (int seq = 0; seq < count; seq++) {
                out.send(message(writer, seq, 8 + sizes.nextInt(maxSize - 7)));
            }
        }
        System.out.println("DONE");
    }

    /** writer (4 bytes), sequence (4 bytes), then bytes that depend on both and the position. */
    public static byte[] message(int writer, int seq, int size) {
        byte[] m = new byte[size];
        ByteBuffer.wrap(m).putInt(writer).putInt(seq);
        for (int i = 8; i < size; i++) {
            m[i] = (byte) (writer * 31 + seq * 17 + i);
        }
        return m;
    }

    /** Checks a message's content against its header; returns {@code writer << 32 | seq}. */
    public static long check(byte[] m) {
        ByteBuffer b = ByteBuffer.wrap(m);
        int writer = b.getInt();
        int seq = b.getInt();
        for (int i = 8; i < m.length; i++) {
            if (m[i] != (byte) (writer * 31 + seq * 17 + i)) {
                throw new AssertionError("message " + writer + "/" + seq + " corrupted at byte " + i + " of " + m.length);
            }
        }
        return ((long) writer << 32) | seq;
    }
}
