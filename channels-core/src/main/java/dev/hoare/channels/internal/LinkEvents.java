package dev.hoare.channels.internal;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.PeerLostException;
import java.util.function.Supplier;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR events of remote channel ends: {@code dev.hoare.PeerLost} when an end's peer is gone
 * ({@link PeerLostException}) and {@code dev.hoare.ProtocolError} when it broke the protocol
 * ({@link ChannelProtocolException}). One event per channel end that ends so, committed once, by
 * the thread that found out (a reader, a writer, or the liveness watch). See docs/observability.md.
 */
public final class LinkEvents {
    private LinkEvents() {
    }

    /** {@code dev.hoare.PeerLost}: a remote channel end lost its peer. */
    @Name("dev.hoare.PeerLost")
    @Label("Peer Lost")
    @Category({"Hoare", "Channels"})
    @Description("A remote channel end lost its peer: the connection broke, the peer died or fell silent")
    public static final class PeerLost extends jdk.jfr.Event {
        @Label("Link")
        @Description("The link: its transport address and side")
        String link;

        @Label("End")
        @Description("send or receive: which channel end saw the loss")
        String end;

        @Label("Cause")
        @Description("The PeerLostException's message")
        String cause;
    }

    /** {@code dev.hoare.ProtocolError}: a remote channel end received what the protocol forbids. */
    @Name("dev.hoare.ProtocolError")
    @Label("Protocol Error")
    @Category({"Hoare", "Channels"})
    @Description("A remote channel end received a frame the protocol forbids, or one it could not decode")
    public static final class ProtocolError extends jdk.jfr.Event {
        @Label("Link")
        @Description("The link: its transport address and side")
        String link;

        @Label("End")
        @Description("send or receive: which channel end saw the error")
        String end;

        @Label("Cause")
        @Description("The ChannelProtocolException's message")
        String cause;
    }

    /**
     * Records why a remote end ended, if that is a lost peer or a protocol error and a recording
     * wants it; any other cause (a clean close, a cancel) records nothing. Call once per end, when
     * it ends, before anything that lets another thread see it ended (so that a recording stopped
     * once the application saw the failure holds the event).
     *
     * @param link the link's description, asked for only if an event is committed
     * @param end {@code "send"} or {@code "receive"}
     * @param cause why the end ended; may be {@code null}
     */
    public static void ended(Supplier<String> link, String end, Throwable cause) {
        if (cause instanceof PeerLostException) {
            PeerLost event = new PeerLost();
            if (event.shouldCommit()) {
                event.link = link.get();
                event.end = end;
                event.cause = cause.getMessage();
                event.commit();
            }
        } else if (cause instanceof ChannelProtocolException) {
            ProtocolError event = new ProtocolError();
            if (event.shouldCommit()) {
                event.link = link.get();
                event.end = end;
                event.cause = cause.getMessage();
                event.commit();
            }
        }
    }
}
