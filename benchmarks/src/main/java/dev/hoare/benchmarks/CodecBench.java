package dev.hoare.benchmarks;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.kryo.KryoCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What a codec costs per message: encode a {@link Trade} into the payload bytes and decode them
 * back, one thread, no channel. {@code bytes}: {@code Codec.bytes()} with the encoding written by
 * hand ({@link #toBytes}/{@link #fromBytes}, a {@code ByteBuffer} of the five fields: 67 bytes), the
 * baseline a user who codes their own format gets. {@code kryo}: {@code KryoCodec.of(Trade.class)}
 * (64 bytes for these values: class 1, id 10, price 8, qty 2, symbol 37, timestamp 6). Values cycle through {@link #VALUES} distinct trades.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBench {
    /** A fill or quote: four numbers and a short symbol. */
    public record Trade(long id, long timestamp, int qty, double price, String symbol) {
    }

    static final int VALUES = 1024;

    @Param({"bytes", "kryo"})
    public String impl;

    private final Trade[] trades = new Trade[VALUES];
    private int next;
    private Codec<byte[]> bytes;
    private Codec<Trade> kryo;

    @Setup
    public void setup() {
        for (int i = 0; i < VALUES; i++) {
            trades[i] = trade(i);
        }
        bytes = Codec.bytes();
        kryo = KryoCodec.of(Trade.class);
    }

    /** @return a trade whose Kryo encoding is 64 bytes and whose hand encoding is 67 */
    static Trade trade(int i) {
        return new Trade(4_000_000_000_000_000_000L + i, 1_764_000_000_000L + i, 100 + i % 100,
                101.25 + i, "XNAS:HOARE-CHANNELS-ORDINARY-SHARES-" + (char) ('A' + i % 26));
    }

    @Benchmark
    public Trade roundTrip() throws ChannelProtocolException {
        Trade t = trades[next++ & (VALUES - 1)];
        return switch (impl) {
            case "bytes" -> fromBytes(bytes.decode(bytes.encode(toBytes(t))));
            case "kryo" -> kryo.decode(kryo.encode(t));
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };
    }

    /** id, timestamp, qty, price, then the symbol as a u16 length and UTF-8. */
    static byte[] toBytes(Trade t) {
        byte[] symbol = t.symbol().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + 8 + 4 + 8 + 2 + symbol.length);
        b.putLong(t.id()).putLong(t.timestamp()).putInt(t.qty()).putDouble(t.price())
                .putShort((short) symbol.length).put(symbol);
        return b.array();
    }

    static Trade fromBytes(byte[] bytes) throws ChannelProtocolException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            long id = b.getLong();
            long timestamp = b.getLong();
            int qty = b.getInt();
            double price = b.getDouble();
            byte[] symbol = new byte[Short.toUnsignedInt(b.getShort())];
            b.get(symbol);
            if (b.hasRemaining()) {
                throw new ChannelProtocolException(b.remaining() + " bytes after the trade");
            }
            return new Trade(id, timestamp, qty, price, new String(symbol, StandardCharsets.UTF_8));
        } catch (java.nio.BufferUnderflowException e) {
            throw new ChannelProtocolException("truncated trade", e);
        }
    }
}
