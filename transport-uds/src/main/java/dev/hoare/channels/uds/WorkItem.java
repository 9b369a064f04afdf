package dev.hoare.channels.uds;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.SendChannel;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A value a worker of a redelivering {@link WorkQueue} received ({@link WorkReceiver#receive}):
 * {@link #ack()} it once the work is done. Until then the queue keeps it, and gives it to another
 * worker if this worker's process dies (so a value may be received twice, never lost while a
 * worker remains).
 *
 * @param <T> the value type
 */
public final class WorkItem<T> {
    private final T value;
    private final long sequence;
    private final SendChannel<Long> acks;
    /** The worker's hands: the first ack gives this item's place back. */
    private final java.util.concurrent.Semaphore hands;
    private final java.util.concurrent.atomic.AtomicBoolean acked = new java.util.concurrent.atomic.AtomicBoolean();

    WorkItem(T value, long sequence, SendChannel<Long> acks, java.util.concurrent.Semaphore hands) {
        this.value = value;
        this.sequence = sequence;
        this.acks = acks;
        this.hands = hands;
    }

    /** @return the value */
    public T value() {
        return value;
    }

    /**
     * Tells the queue this value is done: it will not be given to anyone again, and this worker
     * may take one more value ({@link WorkReceiver}'s bound of values in hand). Acknowledging
     * twice is harmless. Waits only while the socket's outgoing buffer is full (acknowledgements
     * take credits like any value; the queue reads them at once).
     *
     * @throws dev.hoare.channels.ChannelClosedException if this worker's connection is closed (the
     *     queue closed, or this worker closed its receiver): the value may be given to another worker
     * @throws InterruptedException if interrupted while waiting
     */
    public void ack() throws InterruptedException {
        acks.send(sequence);
        if (acked.compareAndSet(false, true)) {
            hands.release();
        }
    }

    /** @return the queue's number of this value (a value given again keeps its number) */
    public long sequence() {
        return sequence;
    }

    @Override
    public String toString() {
        return "WorkItem[" + sequence + ": " + value + "]";
    }

    /** What crosses the socket in redelivering mode: the queue's number of the value, then the value. */
    record Numbered<T>(long sequence, T value) {
    }

    /** A numbered value's payload: 8 bytes of sequence number (big-endian), then the value's own codec's bytes. */
    static <T> Codec<Numbered<T>> numberedCodec(Codec<T> codec) {
        Objects.requireNonNull(codec, "codec");
        return new Codec<>() {
            @Override
            public String id() {
                return "work+" + codec.id();
            }

            @Override
            public byte[] encode(Numbered<T> n) {
                byte[] v = codec.encode(n.value());
                return ByteBuffer.allocate(8 + v.length).putLong(n.sequence()).put(v).array();
            }

            @Override
            public Numbered<T> decode(byte[] bytes) throws ChannelProtocolException {
                if (bytes.length < 8) {
                    throw new ChannelProtocolException("a work item of " + bytes.length + " bytes: shorter than its 8-byte number");
                }
                ByteBuffer b = ByteBuffer.wrap(bytes);
                long seq = b.getLong();
                byte[] v = new byte[bytes.length - 8];
                b.get(v);
                return new Numbered<>(seq, codec.decode(v));
            }
        };
    }

    /** An acknowledgement's payload: the value's number, 8 bytes big-endian. */
    static final Codec<Long> SEQUENCE_CODEC = new Codec<>() {
        @Override
        public String id() {
            return "work-ack";
        }

        @Override
        public byte[] encode(Long seq) {
            return ByteBuffer.allocate(8).putLong(seq).array();
        }

        @Override
        public Long decode(byte[] bytes) throws ChannelProtocolException {
            if (bytes.length != 8) {
                throw new ChannelProtocolException("an acknowledgement of " + bytes.length + " bytes, not 8");
            }
            return ByteBuffer.wrap(bytes).getLong();
        }
    };
}
