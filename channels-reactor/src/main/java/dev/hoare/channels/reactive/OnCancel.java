package dev.hoare.channels.reactive;

/** What {@link ReactiveChannels#toFlux} does to its channel when the subscriber cancels. */
public enum OnCancel {
    /** Stop receiving; the channel stays open for other receivers (the default). */
    KEEP_OPEN,
    /** Stop receiving and close the channel: values already sent stay receivable. */
    CLOSE,
    /** Stop receiving and cancel the channel: buffered values are discarded, senders fail. */
    CANCEL
}
