package dev.hoare.channels.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/**
 * JFR event {@code dev.hoare.ChannelWait}: a thread waited in a channel operation (send, receive or
 * select) at least as long as the event's threshold ({@code 10 ms} unless the recording's settings
 * say otherwise). The event's duration is the whole wait, from the moment the operation queued its
 * waiter (it could not complete at once) to the moment it was woken or gave up; its thread and
 * stack trace are those of the waiting thread. See docs/observability.md.
 *
 * <p>Cost: only an operation that must wait reaches {@link #await}; an operation that completes at
 * once never touches this class. With no recording running, {@link #await} costs one
 * {@code isEnabled()} check (the event object does not escape, so the JIT can drop its allocation)
 * and two clock reads, which time the wait for the channel's blocked-time counter
 * ({@link SendFront#addBlocked}).
 */
@Name("dev.hoare.ChannelWait")
@Label("Channel Wait")
@Category({"Hoare", "Channels"})
@Description("A send, receive or select that waited at least the threshold")
@Threshold("10 ms")
public final class ChannelWaitEvent extends jdk.jfr.Event {
    /** Operation names, as recorded in {@link #operation}. */
    public static final String SEND = "send";
    public static final String RECEIVE = "receive";
    public static final String SELECT = "select";

    @Label("Channel")
    @Description("The channel waited on (its toString), or a select's cases")
    String channel;

    @Label("Operation")
    @Description("send, receive or select")
    String operation;

    @Label("Completed")
    @Description("true if a peer, a close or a retry woke it; false if its time ran out or it was interrupted")
    boolean completed;

    /**
     * {@link Waiter#await} for a waiter already queued in {@code channel}, recording the wait as an
     * event when a recording asks for it and it lasted at least the threshold. Must be called as
     * {@code Waiter.await} is: without the channel lock, by the waiting thread.
     *
     * @param channel described by its {@code toString()} (an array, a select's cases: by theirs), only
     *     if the event is committed
     * @param operation {@link #SEND}, {@link #RECEIVE} or {@link #SELECT}
     * @return what {@link Waiter#await} returned
     */
    public static boolean await(Waiter self, Object channel, String operation, boolean timed, long deadline) {
        long t0 = System.nanoTime();
        ChannelWaitEvent event = start();
        boolean completed = self.await(timed, deadline);
        if (channel instanceof SendFront<?> end) { // a select's cases (an array) are not timed per channel
            end.addBlocked(operation == SEND, System.nanoTime() - t0);
        }
        finish(event, channel, operation, completed);
        return completed;
    }

    /**
     * Begins timing a wait that does not go through {@link #await} (a remote send that reads its
     * credits itself); {@link #finish} ends it.
     *
     * @return the started event, or {@code null} if no recording wants it
     */
    public static ChannelWaitEvent start() {
        ChannelWaitEvent event = new ChannelWaitEvent();
        if (!event.isEnabled()) {
            return null;
        }
        event.begin();
        return event;
    }

    /**
     * Ends a wait that {@link #start} began, and records it if it lasted at least the threshold.
     *
     * @param event what {@link #start} returned; {@code null}: nothing to do
     * @param completed whether a peer, a close or a retry ended the wait (not a timeout or interrupt)
     */
    public static void finish(ChannelWaitEvent event, Object channel, String operation, boolean completed) {
        if (event == null) {
            return;
        }
        event.end();
        if (event.shouldCommit()) {
            event.channel = channel instanceof Object[] cases ? java.util.Arrays.toString(cases) : String.valueOf(channel);
            event.operation = operation;
            event.completed = completed;
            event.commit();
        }
    }
}
