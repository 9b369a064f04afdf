package dev.hoare.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Select;
import dev.hoare.channels.contract.ChildJvm;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** acquire, lock and await as select cases beside channels. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelectCaseTest {
    private final String name = Names.fresh("select");

    @AfterEach
    void removeFile() throws IOException {
        Names.remove(name);
    }

    @Test
    void aSelectTakesAPermitOrAMessageWhicheverComesFirst() throws Exception {
        try (Semaphore holder = new Semaphore(name, 1); Semaphore mine = new Semaphore(name, 1)) {
            holder.acquire();
            Channel<String> messages = Channel.buffered(1);
            ReceiveChannel<Semaphore> permits = mine.acquiring();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> select(permits, messages), pool);
                messages.send("hello");
                assertEquals("message hello", first.get(20, TimeUnit.SECONDS));
                assertEquals(0, mine.held(), "a select that did not choose the permit took none");

                CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> select(permits, messages), pool);
                holder.release();
                assertEquals("permit", second.get(20, TimeUnit.SECONDS));
                assertEquals(1, mine.held());
            }
        }
    }

    @Test
    void aSelectGetsThePermitOfAHolderKilledMeanwhile() throws Exception {
        try (Semaphore mine = new Semaphore(name, 1); ChildJvm holder = ChildJvm.start(SyncChild.class, "sem-hold", name, "1", "1")) {
            holder.expect("HELD 1");
            Channel<String> messages = Channel.buffered(1);
            ReceiveChannel<Semaphore> permits = mine.acquiring();
            CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> select(permits, messages));
            holder.kill();
            assertEquals("permit", result.get(20, TimeUnit.SECONDS));
            assertEquals(1, mine.held());
        }
    }

    @Test
    void aSelectLocksTheMutexWhenItsOwnerUnlocks() throws Exception {
        try (Mutex owner = new Mutex(name); Mutex mine = new Mutex(name)) {
            owner.lock();
            Channel<String> messages = Channel.buffered(1);
            CompletableFuture<Boolean> result = new CompletableFuture<>();
            Thread selecting = Thread.ofPlatform().start(() -> {
                try {
                    String what = Select.<String>select()
                            .onReceive(mine.locking(), died -> "locked died=" + died)
                            .onReceive(messages, m -> "message")
                            .run();
                    result.complete(what.equals("locked died=false") && mine.isHeldByCurrentThread());
                    mine.unlock();
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
            assertFalse(result.isDone());
            owner.unlock();
            assertTrue(result.get(20, TimeUnit.SECONDS), "locked by the selecting thread");
            selecting.join();
            assertFalse(owner.isLocked());
        }
    }

    @Test
    void aSelectWaitsForAnEventOrTimesOut() throws Exception {
        try (Event setter = new Event(name); Event mine = new Event(name)) {
            ReceiveChannel<Boolean> set = mine.awaiting();
            assertEquals("timeout", Select.<String>select().onReceive(set, s -> "set")
                    .onTimeout(Duration.ofMillis(150), () -> "timeout").run());
            CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> {
                try {
                    return Select.<String>select().onReceive(set, s -> "set").onTimeout(Duration.ofSeconds(20), () -> "timeout").run();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, Executors.newVirtualThreadPerTaskExecutor());
            setter.set();
            assertEquals("set", result.get(20, TimeUnit.SECONDS));
        }
    }

    private static String select(ReceiveChannel<Semaphore> permits, ReceiveChannel<String> messages) {
        try {
            return Select.<String>select()
                    .onReceive(permits, s -> "permit")
                    .onReceive(messages, m -> "message " + m)
                    .run();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
