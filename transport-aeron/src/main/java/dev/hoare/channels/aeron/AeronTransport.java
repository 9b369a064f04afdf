package dev.hoare.channels.aeron;

import dev.hoare.channels.Codec;
import dev.hoare.channels.ForwardingReceiveChannel;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.spi.ChannelTransport;
import dev.hoare.channels.spi.Endpoint;
import io.aeron.Aeron;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * {@code aeron:udp?endpoint=HOST:PORT&stream=ID}: channels across machines over Aeron (reliable,
 * ordered UDP with flow control). The address is Aeron's own channel string, as Aeron's
 * documentation writes it ({@code aeron:udp?endpoint=192.168.1.20:40123}); its parameters may also
 * be joined with {@code |}, written {@code %7C} in a URI ({@code endpoint=h:p%7Cmtu=8k}). Hoare's own
 * options sit beside them, and every other option goes to Aeron as a channel parameter
 * ({@code mtu}, {@code interface}, {@code ttl}, ...), which Aeron checks.
 *
 * <p>{@code openReceive} subscribes at the endpoint (binding that address and port: name the
 * interface's address to bind to one interface); {@code openSend} publishes to it. Replies
 * (HELLO, credits, RELEASE, pings) come back to a subscription of the sender's own on an ephemeral
 * port of the address it reaches the receiver from ({@code reply=HOST:PORT} to fix it, behind a
 * firewall).
 *
 * <p>Options:
 * <ul>
 *   <li>{@code stream}: the Aeron stream id, default 1001; channels on one endpoint with different
 *       streams are independent;</li>
 *   <li>{@code capacity} (default 64; 0 is a rendezvous), {@code maxFrame} (default and most: what
 *       one Aeron message holds, a term's eighth, 512 KiB less 4 bytes for the default
 *       {@code term-length=4m}; raise {@code term-length} for larger values), {@code timeout}
 *       (opening, default 10 s), {@code liveness} (default 5 s: a peer silent that long is lost;
 *       {@code 0s} leaves it to Aeron's image liveness);</li>
 *   <li>{@code senders}: {@code many} (default: every sender that connects feeds the one
 *       receiving channel with its own credits, in its own order; a sender's close or loss ends only
 *       its part; the channel ends when the application closes it) or {@code one} (the first
 *       sender, waited for up to {@code timeout}; its close or loss ends the channel, others are
 *       refused);</li>
 *   <li>{@code allow}: comma-separated hosts or addresses whose traffic this end takes (the
 *       receiver's senders and the addresses they ask replies at; a sender's reply source);
 *       others are refused, logged and counted ({@link #refusedPeers()}); default: any;</li>
 *   <li>{@code driver}: {@code embedded} (default: one media driver in this JVM, shared by all its
 *       channels), {@code embedded:NAME} (another embedded driver, as a second host would have),
 *       or an external driver's directory.</li>
 * </ul>
 * Agrona, under Aeron, needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} on
 * JDK 25. See docs/aeron.md.
 */
public final class AeronTransport implements ChannelTransport {
    private static final System.Logger LOG = System.getLogger(AeronTransport.class.getName());
    /** The term length of Hoare's publications unless {@code term-length} says otherwise: 4 MiB. */
    static final int DEFAULT_TERM_LENGTH = 4 << 20;
    /** Default stream id. */
    public static final int DEFAULT_STREAM = 1001;
    /** Default liveness of an Aeron channel end: 5 s. */
    public static final Duration DEFAULT_LIVENESS = Duration.ofSeconds(5);
    private static final Set<String> HOARE_OPTIONS = with(StreamOptions.OPTIONS, "stream", "senders", "allow", "driver", "reply");
    private static final AtomicLong REFUSED = new AtomicLong();

    /** Made by {@link java.util.ServiceLoader}; use {@code Channels.openSend/openReceive}. */
    public AeronTransport() {
    }

    private static Set<String> with(Set<String> base, String... more) {
        Set<String> s = new HashSet<>(base);
        s.addAll(List.of(more));
        return Set.copyOf(s);
    }

    @Override
    public String scheme() {
        return "aeron";
    }

    /** @return how many peers (images, reply addresses) ends of this JVM refused since it started, by {@code allow} */
    public static long refusedPeers() {
        return REFUSED.get();
    }

    /**
     * Adjusts the media drivers this JVM embeds, before the first starts (later ones too): its
     * idle strategy, threading, timeouts, loss generators for tests. Hoare's settings are applied
     * first, so this can override them.
     *
     * @param customizer called with each embedded driver's context before it launches
     */
    public static void configureEmbeddedDrivers(Consumer<MediaDriver.Context> customizer) {
        AeronDrivers.customize(java.util.Objects.requireNonNull(customizer, "customizer"));
    }

    /**
     * A fresh idle strategy as this JVM's {@code aeron:} ends and embedded drivers use it
     * ({@code -Dhoare.aeron.idle}: {@code backoff}, the default, {@code yield}, {@code spin} or
     * {@code sleep}; docs/aeron.md): for code beside the channels that polls Aeron itself and
     * should wait alike, such as a raw Aeron peer in a benchmark.
     *
     * @return a new instance (idle strategies keep state: one per polling thread)
     * @throws IllegalArgumentException if the property names no strategy
     */
    public static org.agrona.concurrent.IdleStrategy idleStrategy() {
        return AeronDrivers.idleStrategy();
    }

    // ---------------------------------------------------------------- opening

    @Override
    public <T> SendChannel<T> openSend(Endpoint endpoint, Codec<T> codec) throws IOException {
        Address a = Address.of(endpoint);
        return StreamChannels.sender(connect(a), codec, a.options);
    }

    /** A sender's link to the endpoint's receiver, connected and past its CONNECT (for tests that write raw frames). */
    static AeronLink connect(Endpoint endpoint) throws IOException {
        return connect(Address.of(endpoint));
    }

    private static AeronLink connect(Address a) throws IOException {
        Aeron aeron = AeronDrivers.client(a.driver).aeron();
        Reply shared = a.reply == null ? sharedReply(a) : null;
        String replyChannel = "aeron:udp?endpoint=" + (shared != null ? shared.bound : a.replyBind()) + a.params(false);
        int replyStream = shared != null ? shared.stream : a.stream;
        Subscription replies = registered(() -> aeron.addSubscription(replyChannel, replyStream), replyChannel);
        try {
            String resolved = shared != null ? shared.advertised + "#" + shared.stream : awaitResolved(replies, a);
            return AeronLink.sender(aeron, a.channel(true), a.stream, replies, resolved, a.options.timeout(), a.allowed, a.describe());
        } catch (IOException | RuntimeException e) {
            replies.close();
            throw e;
        }
    }

    /**
     * Where a sender's replies come back when this JVM's driver already receives on an endpoint of
     * the local address toward the receiver: that endpoint (its socket), on a stream of the
     * sender's own, so the drivers serve no more sockets than a channel each way needs (one
     * endpoint per JVM); else (null) a port of the sender's own.
     */
    private record Reply(String bound, String advertised, int stream) {
    }

    /** The receiving ends' subscriptions, by driver: endpoints a sender's replies may share. */
    private static final Map<String, List<Subscription>> RECEIVING = new java.util.concurrent.ConcurrentHashMap<>();
    /** Reply streams are drawn from a range of their own, never a channel's {@code stream} in practice. */
    private static final int REPLY_STREAMS = 0x7E00_0000;

    private static Subscription receiving(String driver, Subscription sub) {
        List<Subscription> subs = RECEIVING.computeIfAbsent(driver, d -> new java.util.concurrent.CopyOnWriteArrayList<>());
        subs.removeIf(Subscription::isClosed);
        subs.add(sub);
        return sub;
    }

    /** For tests: whether a receiving end of {@code driver} is subscribed at a port. */
    static boolean receivesAt(String driver, int port) {
        return RECEIVING.getOrDefault(driver, List.of()).stream()
                .anyMatch(s -> !s.isClosed() && io.aeron.ChannelUri.parse(s.channel()).get("endpoint").endsWith(":" + port));
    }

    private static Reply sharedReply(Address a) throws IOException {
        List<Subscription> subs = RECEIVING.get(a.driver);
        if (subs == null) {
            return null;
        }
        subs.removeIf(Subscription::isClosed);
        String local = a.replyAdvertised();
        String params = a.params(false);
        for (Subscription sub : subs) {
            io.aeron.ChannelUri uri = io.aeron.ChannelUri.parse(sub.channel());
            String endpoint = uri.get("endpoint");
            uri.remove("endpoint");
            String rest = uri.toString().substring("aeron:udp".length());
            String host = Address.formatHost(hostOf(endpoint));
            String port = endpoint.substring(endpoint.lastIndexOf(':') + 1);
            if (port.equals("0") || !(rest.isEmpty() ? "" : "|" + rest.substring(1)).equals(params)) {
                continue;
            }
            if (host.equals(local) || host.equals("0.0.0.0") || host.equals("[::]")) {
                int stream = REPLY_STREAMS + java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 24);
                return new Reply(endpoint, local + ":" + port, stream);
            }
        }
        return null;
    }

    /** The reply subscription's address as the receiver should reach it: the local address toward the receiver, the port bound. */
    private static String awaitResolved(Subscription replies, Address a) throws IOException {
        long deadline = System.nanoTime() + a.options.timeout().toNanos();
        String channel;
        while ((channel = replies.tryResolveChannelEndpointPort()) == null) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("the reply subscription of " + a.describe() + " got no port within "
                        + Endpoint.formatDuration(a.options.timeout()));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
        String bound = io.aeron.ChannelUri.parse(channel).get("endpoint");
        int port = Integer.parseInt(bound.substring(bound.lastIndexOf(':') + 1));
        return a.replyAdvertised() + ":" + port;
    }

    @Override
    public <T> ReceiveChannel<T> openReceive(Endpoint endpoint, Codec<T> codec) throws IOException {
        Address a = Address.of(endpoint);
        Aeron aeron = AeronDrivers.client(a.driver).aeron();
        String describe = a.describe();
        String replyParams = a.params(true);
        if (a.oneSender) {
            CompletableFuture<Image> first = new CompletableFuture<>();
            Subscription sub = receiving(a.driver, registered(() -> aeron.addSubscription(a.channel(false), a.stream, image -> {
                if (!a.allowed.test(hostOf(image.sourceIdentity()))) {
                    refused(describe, image.sourceIdentity(), "a sender");
                    image.reject("not an allowed peer");
                } else if (!first.complete(image)) {
                    LOG.log(System.Logger.Level.WARNING, "refused a second sender from " + image.sourceIdentity() + " on " + describe
                            + " (senders=one)");
                    image.reject("this channel takes one sender");
                }
            }, image -> { }), a.channel(false)));
            Image image;
            try {
                image = first.get(a.options.timeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                sub.close();
                throw new java.net.SocketTimeoutException("no sender came to " + describe + " within "
                        + Endpoint.formatDuration(a.options.timeout()));
            } catch (InterruptedException e) {
                sub.close();
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for a sender on " + describe);
            } catch (ExecutionException e) {
                sub.close();
                throw new IOException(e.getCause());
            }
            return StreamChannels.receiver(AeronLink.receiver(aeron, image, replyParams, a.options.timeout(), a.allowed, sub, describe),
                    codec, a.options);
        }
        StreamChannels.FanIn<T> fanIn = StreamChannels.fanIn(codec, a.options);
        Subscription sub = receiving(a.driver, registered(() -> aeron.addSubscription(a.channel(false), a.stream, image -> {
            if (!a.allowed.test(hostOf(image.sourceIdentity()))) {
                refused(describe, image.sourceIdentity(), "a sender");
                image.reject("not an allowed peer");
                return;
            }
            // not on Aeron's conductor thread, which calls this: reading the CONNECT waits
            Thread.ofPlatform().daemon().name("hoare-aeron-connect " + describe).start(() -> { // polls: not a virtual thread
                try {
                    fanIn.attach(AeronLink.receiver(aeron, image, replyParams, a.options.timeout(), a.allowed, null, describe));
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "dropped a sender of " + describe + ": " + e.getMessage());
                }
            });
        }, image -> { }), a.channel(false)));
        return new ForwardingReceiveChannel<>(fanIn.channel()) {
            @Override
            public void close() {
                super.close();
                sub.close();
            }

            @Override
            public void cancel(Throwable cause) {
                super.cancel(cause);
                sub.close();
            }

            @Override
            public String toString() {
                return describe + " " + delegate();
            }
        };
    }

    /**
     * Runs an Aeron registration (a subscription, a publication), turning the driver's refusal
     * into an {@link IOException}: a {@link java.net.BindException} for an address in use or not
     * this host's, naming the channel.
     */
    static <R> R registered(java.util.function.Supplier<R> registration, String channel) throws IOException {
        try {
            return registration.get();
        } catch (io.aeron.exceptions.AeronException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("Address already in use") || m.contains("Cannot assign requested address")) {
                java.net.BindException b = new java.net.BindException("cannot bind " + channel + ": "
                        + (m.contains("in use") ? "the address is in use" : "not an address of this host"));
                b.initCause(e);
                throw b;
            }
            throw new IOException("Aeron refused " + channel + ": " + m, e);
        }
    }

    // ---------------------------------------------------------------- addresses

    static void refused(String describe, String source, String what) {
        REFUSED.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "refused " + what + " from " + source + " on " + describe + ": not in its allow list");
    }

    /** @return the host of {@code host:port} or {@code [v6]:port} */
    static String hostOf(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The most an Aeron message holds for a term length: an eighth of it, at most 16 MiB. */
    static int maxMessageLength(int termLength) {
        return Math.min(termLength / 8, 16 << 20);
    }

    /** An endpoint's parts: Aeron's channel, stream, Hoare's options. */
    private record Address(Map<String, String> aeronParams, int stream, StreamOptions options, boolean oneSender,
            Predicate<String> allowed, String driver, String reply) {

        static Address of(Endpoint e) {
            if (!e.address().equals("udp")) {
                throw new IllegalArgumentException("aeron: addresses are aeron:udp?endpoint=HOST:PORT (Aeron's UDP channel);"
                        + " got " + e.uri() + (e.address().equals("ipc") ? " (between processes of one host, use shm:)" : ""));
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (Map.Entry<String, String> o : e.options().entrySet()) {
                if (!HOARE_OPTIONS.contains(o.getKey())) {
                    for (String part : (o.getKey() + "=" + o.getValue()).split("\\|")) {
                        int eq = part.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("Aeron parameter '" + part + "' is not name=value in " + e.uri());
                        }
                        params.put(part.substring(0, eq), part.substring(eq + 1));
                    }
                }
            }
            String ep = params.get("endpoint");
            if (ep == null || ep.lastIndexOf(':') < 0) {
                throw new IllegalArgumentException("aeron: needs endpoint=HOST:PORT, such as aeron:udp?endpoint=192.168.1.20:40123&stream=10;"
                        + " got " + e.uri());
            }
            if (params.containsKey("control") || params.containsKey("control-mode")) {
                throw new IllegalArgumentException("aeron: channels are unicast to endpoint=HOST:PORT; control and control-mode"
                        + " (multi-destination) are not supported: " + e.uri());
            }
            int termLength = params.containsKey("term-length") ? parseSize(params.get("term-length"), e) : DEFAULT_TERM_LENGTH;
            params.put("term-length", Integer.toString(termLength));
            int most = maxMessageLength(termLength) - 4;
            Map<String, String> hoare = new LinkedHashMap<>();
            e.options().forEach((k, v) -> {
                if (HOARE_OPTIONS.contains(k)) {
                    hoare.put(k, v);
                }
            });
            Endpoint own = new Endpoint(e.uri(), e.scheme(), e.address(), hoare);
            StreamOptions base = StreamOptions.from(own);
            int maxFrame = own.options().containsKey("maxFrame") ? base.maxFrame() : most;
            if (maxFrame > most) {
                throw new IllegalArgumentException("maxFrame=" + maxFrame + " is above the " + most + " bytes one Aeron message"
                        + " holds with term-length=" + termLength + " (an eighth of it, less 4): raise term-length in " + e.uri());
            }
            // platform I/O threads: the links poll Aeron with Agrona's idle strategies, whose Thread.yield and
            // short parkNanos on a virtual thread never give the CPU back to the OS (yield) or go through the
            // ForkJoinPool's delay scheduler (park); measured in docs/benchmarks.md, "aeron: across two JVMs"
            StreamOptions options = new StreamOptions(base.capacity(), maxFrame, base.timeout(), true,
                    own.options().containsKey("liveness") ? base.liveness() : DEFAULT_LIVENESS);
            String senders = hoare.getOrDefault("senders", "many");
            if (!senders.equals("many") && !senders.equals("one")) {
                throw new IllegalArgumentException("option senders=" + senders + " must be many or one in " + e.uri());
            }
            int stream = own.intOption("stream", DEFAULT_STREAM);
            return new Address(params, stream, options, senders.equals("one"), allowList(hoare.get("allow"), e),
                    hoare.getOrDefault("driver", "embedded"), hoare.get("reply"));
        }

        private static int parseSize(String v, Endpoint e) {
            try {
                String s = v.toLowerCase(java.util.Locale.ROOT);
                long unit = s.endsWith("k") ? 1 << 10 : s.endsWith("m") ? 1 << 20 : s.endsWith("g") ? 1 << 30 : 1;
                long n = Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)) * unit;
                if (n < 64 << 10 || n > 1 << 30 || Long.bitCount(n) != 1) {
                    throw new IllegalArgumentException("not a power of two from 64k to 1g");
                }
                return (int) n;
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("term-length=" + v + " must be a power of two from 64k to 1g in " + e.uri(), ex);
            }
        }

        private static Predicate<String> allowList(String v, Endpoint e) {
            if (v == null) {
                return host -> true;
            }
            Set<InetAddress> allowed = new HashSet<>();
            for (String h : v.split(",")) {
                if (h.isBlank()) {
                    continue;
                }
                try {
                    allowed.addAll(List.of(InetAddress.getAllByName(h.strip())));
                } catch (java.net.UnknownHostException ex) {
                    throw new IllegalArgumentException("allow=" + v + ": unknown host " + h.strip() + " in " + e.uri(), ex);
                }
            }
            if (allowed.isEmpty()) {
                throw new IllegalArgumentException("option allow=" + v + " names no host in " + e.uri());
            }
            return host -> {
                try {
                    return allowed.contains(InetAddress.getByName(host));
                } catch (java.net.UnknownHostException ex) {
                    return false;
                }
            };
        }

        /** Aeron's channel string: the data channel (with {@code term-length} on a publication). */
        String channel(boolean publication) {
            return "aeron:udp?endpoint=" + aeronParams.get("endpoint") + params(publication);
        }

        /** {@code |name=value} of every Aeron parameter but the endpoint; term-length only for a publication. */
        String params(boolean publication) {
            StringBuilder b = new StringBuilder();
            aeronParams.forEach((k, v) -> {
                if (!k.equals("endpoint") && (publication || !k.equals("term-length"))) {
                    b.append('|').append(k).append('=').append(v);
                }
            });
            return b.toString();
        }

        /** Where a sender binds its reply subscription: {@code reply}, or the local address toward the receiver, port 0. */
        String replyBind() throws IOException {
            return reply != null ? reply : formatHost(localAddressToward()) + ":0";
        }

        /** The host a sender names for its replies. */
        String replyAdvertised() throws IOException {
            return reply != null ? formatHost(hostOf(reply)) : formatHost(localAddressToward());
        }

        private String localAddressToward() throws IOException {
            String ep = aeronParams.get("endpoint");
            String host = hostOf(ep);
            int port = Integer.parseInt(ep.substring(ep.lastIndexOf(':') + 1));
            try (DatagramSocket probe = new DatagramSocket()) {
                probe.connect(new InetSocketAddress(InetAddress.getByName(host), port));
                InetAddress local = probe.getLocalAddress();
                if (local == null || local.isAnyLocalAddress()) {
                    throw new IOException("no local address reaches " + ep + " (give reply=HOST:PORT)");
                }
                return local.getHostAddress();
            }
        }

        static String formatHost(String host) {
            return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        }

        String describe() {
            return channel(false) + " stream " + stream;
        }
    }
}
