package dev.hoare.channels;

import dev.hoare.channels.internal.AbstractChannel;
import dev.hoare.channels.internal.SelectEnd;
import dev.hoare.channels.internal.Waiter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seam between {@link Select} and channel ends ({@link SelectEnd}): an end takes part by
 * implementing the interface, not by inheriting a channel's internals.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SelectSeamTest {

    @Test
    void theSendEndOfARemoteChannelHasNoReceiveMethods() throws ClassNotFoundException {
        Class<?> remoteSend = Class.forName("dev.hoare.channels.remote.RemoteSendChannel");
        assertFalse(ReceiveChannel.class.isAssignableFrom(remoteSend),
                "a send end that inherits receive methods can only answer them with UnsupportedOperationException");
        assertTrue(SelectEnd.Send.class.isAssignableFrom(remoteSend));
        assertFalse(SelectEnd.Receive.class.isAssignableFrom(remoteSend));
    }

    @Test
    void anEndWrittenAgainstTheInterfaceAloneIsASelectCase() throws Exception {
        OneValue end = new OneValue();
        Channel<String> local = Channel.unbuffered();
        CompletableFuture<String> selecting = TestSupport.async(() -> Select.<String>select()
                .onReceive(end, v -> "end:" + v)
                .onReceive(local, v -> "local:" + v)
                .run());
        TestSupport.awaitTrue("the select registered at the end", () -> end.waiter() != null);
        end.put("x");
        assertEquals("end:x", selecting.get(10, TimeUnit.SECONDS));
        assertNull(end.waiter(), "unregistered");
        assertEquals(0, ((AbstractChannel<?>) local).waitingReceivers(), "the other case left no waiter");
        end.put("y");
        assertEquals("end:y", Select.<String>select().onReceive(end, v -> "end:" + v).onReceive(local, v -> "local:" + v).run(),
                "try now takes a value that is there");
    }

    @Test
    void aSelectThatTimesOutLeavesNoWaiterAtAnEndWrittenAgainstTheInterface() throws Exception {
        OneValue end = new OneValue();
        assertEquals("timeout", Select.<String>select().onReceive(end, v -> v)
                .onTimeout(Duration.ofMillis(20), () -> "timeout").run());
        assertNull(end.waiter());
        end.put("z");
        assertEquals(Optional.of("z"), end.tryReceive(), "the value was not handed to the select that left");
    }

    /**
     * A receive end that holds at most one value, written only against {@link SelectEnd} and
     * {@link Waiter}: a value put while a select waits goes to the select if it claims its owner,
     * else stays.
     */
    private static final class OneValue implements ReceiveChannel<String>, SelectEnd.Receive {
        private final ReentrantLock lock = new ReentrantLock();
        private String value;
        private Waiter waiter;

        void put(String v) {
            Waiter woken = null;
            lock.lock();
            try {
                if (waiter != null) {
                    waiter.item = v;
                    if (waiter.tryComplete(Waiter.DONE)) {
                        woken = waiter;
                    } else {
                        waiter.item = null;
                    }
                    waiter = null;
                }
                if (woken == null) {
                    value = v;
                }
            } finally {
                lock.unlock();
            }
            if (woken != null) {
                woken.unpark();
            }
        }

        Waiter waiter() {
            lock.lock();
            try {
                return waiter;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Object selectTryReceive() {
            lock.lock();
            try {
                String v = value;
                value = null;
                return v != null ? v : SelectEnd.EMPTY;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean selectRegisterReceive(Waiter caseWaiter) {
            lock.lock();
            try {
                if (value != null) {
                    return true;
                }
                waiter = caseWaiter;
                return false;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void selectUnregisterReceive(Waiter caseWaiter) {
            lock.lock();
            try {
                if (waiter == caseWaiter) {
                    waiter = null;
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Throwable closeCause() {
            return null;
        }

        @Override
        public Optional<String> tryReceive() {
            Object v = selectTryReceive();
            return v == SelectEnd.EMPTY ? Optional.empty() : Optional.of((String) v);
        }

        @Override
        public String receive() {
            throw new UnsupportedOperationException("test end: select and tryReceive only");
        }

        @Override
        public Optional<String> receive(Duration timeout) {
            throw new UnsupportedOperationException("test end: select and tryReceive only");
        }

        @Override
        public Received<String> receiveResult() {
            throw new UnsupportedOperationException("test end: select and tryReceive only");
        }

        @Override
        public void close() {
        }

        @Override
        public void cancel(Throwable cause) {
        }

        @Override
        public boolean isClosedForReceive() {
            return false;
        }

        @Override
        public boolean isEmpty() {
            lock.lock();
            try {
                return value == null;
            } finally {
                lock.unlock();
            }
        }
    }
}
