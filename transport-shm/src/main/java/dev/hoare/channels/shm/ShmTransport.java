package dev.hoare.channels.shm;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.spi.ChannelTransport;
import dev.hoare.channels.spi.Endpoint;
import dev.hoare.channels.link.StreamOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * {@code shm:NAME} and {@code shm:/absolute/path}: channels through a {@link ShmRing} in a
 * memory-mapped file ({@link Shms} for names and places). The receiving end creates the ring (or
 * opens an existing one, reading what is left in it) and is its one reader; any number of
 * sending ends, in any processes, write into it; a sending end waits up to {@code timeout} for
 * the reader. Options: {@code capacityBytes} (the ring's records area, a power of two, default
 * 1 MiB; used when the receiver creates it), {@code wait} ({@code spin}, {@code yield}, {@code backoff}
 * (default) or {@code block}: how the reader waits for records), {@code checksum} ({@code crc32c}: a
 * CRC32C in every record, so that bytes changed in the ring by anything but their writer are found;
 * set in the ring's header by the receiver that creates it, and then used by every end; an end that
 * asks for it refuses a ring made without; {@code none}, the default, uses what the ring says), and
 * {@code capacity}, {@code maxFrame}, {@code timeout} as for every stream transport.
 *
 * <p>The ring is one-way with no return path, like a FIFO: a send returns once the value is in
 * the sender's outbox; flow control is the reader's buffer ({@code capacity}), the ring and the
 * outbox. The reading end closes when the last writer has gone — with {@code PeerLostException}
 * if one went away without closing. A writer whose reader's process is gone fails with
 * {@code PeerLostException}. A ring whose memory faults (its file shrunk) or that an end finds
 * corrupt closes that end with {@link ShmRing.RingFaultException} or its subclass
 * {@link ShmRing.RingCorruptException} as the cause.
 *
 * <p>Opening: the receiving end writes its codec id and {@code maxFrame} in the ring's header; a
 * sending end whose codec differs is refused with {@code ChannelProtocolException} naming both,
 * and one sends no frame larger than the reader's {@code maxFrame}. Every step of an opening
 * honours {@code timeout}; a receiving end whose opening fails removes the ring it created. A
 * ring, or the directory of a ring at an absolute path, that belongs to another user is refused
 * ({@link Shms#checkOwner}).
 */
public final class ShmTransport implements ChannelTransport {
    /** The default ring: 1 MiB of records. */
    public static final int DEFAULT_CAPACITY_BYTES = 1 << 20;
    private static final Set<String> OPTIONS;

    static {
        Set<String> all = new HashSet<>(StreamOptions.OPTIONS);
        all.add("capacityBytes");
        all.add("wait");
        all.add("checksum");
        OPTIONS = Set.copyOf(all);
    }

    /** Made by {@link java.util.ServiceLoader}; use {@code Channels.openSend/openReceive}. */
    public ShmTransport() {
    }

    @Override
    public String scheme() {
        return "shm";
    }

    @Override
    public <T> SendChannel<T> openSend(Endpoint endpoint, Codec<T> codec) throws IOException {
        Endpoint e = endpoint.onlyOptions(OPTIONS);
        StreamOptions options = options(e);
        Path ring = Shms.path(e.address());
        ShmLink link = ShmLink.writer(ring, waitStrategy(e), options.timeout(), codec.id(), checksum(e));
        int readerMaxFrame = link.readerMaxFrame();
        if (readerMaxFrame >= 16 && readerMaxFrame < options.maxFrame()) {
            // the reader reads no larger frame: a larger value fails at its send, naming the limit, and is not lost
            options = new StreamOptions(options.capacity(), readerMaxFrame, options.timeout(), options.platformThreads(), options.liveness());
        }
        return StreamChannels.sender(link, codec, options);
    }

    @Override
    public <T> ReceiveChannel<T> openReceive(Endpoint endpoint, Codec<T> codec) throws IOException {
        Endpoint e = endpoint.onlyOptions(OPTIONS);
        StreamOptions options = options(e);
        Path ring = Shms.path(e.address());
        int capacityBytes = e.intOption("capacityBytes", DEFAULT_CAPACITY_BYTES);
        ShmLink link = ShmLink.reader(ring, capacityBytes, waitStrategy(e), codec.id(), options.maxFrame(), checksum(e));
        try {
            return StreamChannels.receiver(link, codec, options);
        } catch (IOException | RuntimeException failed) {
            link.close(); // (closed already by a failed handshake; idempotent)
            link.removeIfCreated(); // a failed open leaves nothing behind
            throw failed;
        }
    }

    private static StreamOptions options(Endpoint e) {
        return StreamOptions.from(e).withPlatformThreads(true);
    }

    /** @return whether {@code checksum=crc32c} asks for a CRC32C in every record ({@code none}, the default: as the ring says) */
    private static boolean checksum(Endpoint e) {
        String checksum = e.options().getOrDefault("checksum", "none").toLowerCase(Locale.ROOT);
        return switch (checksum) {
            case "crc32c" -> true;
            case "none" -> false;
            default -> throw new IllegalArgumentException("checksum must be crc32c or none, was '" + checksum + "'");
        };
    }

    private static ShmRing.WaitStrategy waitStrategy(Endpoint e) {
        String wait = e.options().getOrDefault("wait", "backoff").toLowerCase(Locale.ROOT);
        return switch (wait) {
            case "spin" -> ShmRing.WaitStrategy.SPIN;
            case "yield" -> ShmRing.WaitStrategy.YIELD;
            case "backoff" -> ShmRing.WaitStrategy.BACKOFF;
            case "block" -> ShmRing.WaitStrategy.BLOCK;
            default -> throw new IllegalArgumentException("wait must be spin, yield, backoff or block, was '" + wait + "'");
        };
    }
}
