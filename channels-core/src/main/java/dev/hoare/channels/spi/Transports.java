package dev.hoare.channels.spi;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The transports found on the class path, by scheme; loaded once. */
public final class Transports {
    private static final Map<String, ChannelTransport> BY_SCHEME = load();

    private Transports() {
    }

    /**
     * @param scheme a URI scheme
     * @return its transport
     * @throws IllegalArgumentException naming the schemes found, if none serves {@code scheme}
     */
    public static ChannelTransport forScheme(String scheme) {
        ChannelTransport t = BY_SCHEME.get(scheme);
        if (t == null) {
            throw new IllegalArgumentException("no channel transport for scheme '" + scheme + ":'; transports found: "
                    + String.join(", ", BY_SCHEME.keySet())
                    + " (add the module of the one you need, e.g. dev.hoare:transport-uds)");
        }
        return t;
    }

    private static Map<String, ChannelTransport> load() {
        Map<String, ChannelTransport> found = new TreeMap<>();
        for (ChannelTransport t : ServiceLoader.load(ChannelTransport.class, Transports.class.getClassLoader())) {
            ChannelTransport clash = found.putIfAbsent(t.scheme(), t);
            if (clash != null) {
                throw new IllegalStateException("two transports claim scheme '" + t.scheme() + "': "
                        + clash.getClass().getName() + " and " + t.getClass().getName());
            }
        }
        return found;
    }
}
