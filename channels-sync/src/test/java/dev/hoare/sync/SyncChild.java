package dev.hoare.sync;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A child process for the cross-process tests: {@code args[0]} says what it does, and it prints
 * what happens ({@code HELD}, {@code LOCKED died=...}, {@code WOKE}, ...) for the test to expect.
 */
public final class SyncChild {
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private SyncChild() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "sem-hold" -> { // name permits count: take count permits, then stay
                Semaphore s = new Semaphore(args[1], Integer.parseInt(args[2]));
                for (int i = 0; i < Integer.parseInt(args[3]); i++) {
                    s.acquire();
                }
                System.out.println("HELD " + s.held());
                Thread.sleep(Long.MAX_VALUE);
            }
            case "sem-acquire" -> { // name permits: wait for one permit
                Semaphore s = new Semaphore(args[1], Integer.parseInt(args[2]));
                System.out.println("WAITING");
                s.acquire();
                System.out.println("ACQUIRED");
                Thread.sleep(Long.MAX_VALUE);
            }
            case "sem-cycle" -> { // name permits insideFile iterations (0: for ever)
                int permits = Integer.parseInt(args[2]);
                ByteBuffer inside = map(args[3]);
                long iterations = Long.parseLong(args[4]);
                try (Semaphore s = new Semaphore(args[1], permits)) {
                    System.out.println("READY");
                    for (long i = 0; iterations == 0 || i < iterations; i++) {
                        s.acquire();
                        long now = (long) LONG.getAndAdd(inside, 0, 1L) + 1;
                        if (now > permits) {
                            System.out.println("VIOLATION " + now);
                        }
                        LONG.getAndAdd(inside, 8, 1L); // acquisitions in all
                        Thread.onSpinWait();
                        LONG.getAndAdd(inside, 0, -1L);
                        s.release();
                    }
                }
                System.out.println("DONE");
            }
            case "mutex-hold" -> { // name: lock, then stay
                Mutex m = new Mutex(args[1]);
                boolean died = m.lock();
                System.out.println("LOCKED died=" + died);
                Thread.sleep(Long.MAX_VALUE);
            }
            case "mutex-lock-unlock" -> { // name: wait for the lock, report, unlock, exit
                try (Mutex m = new Mutex(args[1])) {
                    System.out.println("WAITING");
                    boolean died = m.lock();
                    System.out.println("LOCKED died=" + died);
                    m.unlock();
                }
                System.out.println("DONE");
            }
            case "mutex-count" -> { // name counterFile iterations (0: for ever): a non-atomic increment under the lock
                ByteBuffer counter = map(args[2]);
                long iterations = Long.parseLong(args[3]);
                try (Mutex m = new Mutex(args[1])) {
                    System.out.println("READY");
                    for (long i = 0; iterations == 0 || i < iterations; i++) {
                        m.lock();
                        long v = counter.getLong(0); // plain read and write: only the mutex keeps them whole
                        Thread.onSpinWait();
                        counter.putLong(0, v + 1);
                        m.unlock();
                    }
                }
                System.out.println("DONE");
            }
            case "event-wait" -> { // name
                try (Event e = new Event(args[1])) {
                    System.out.println("WAITING");
                    e.await();
                    System.out.println("WOKE");
                }
            }
            case "pidfile" -> { // path: take it, then stay until told
                try (PidFile p = PidFile.acquire(Path.of(args[1]))) {
                    System.out.println("OWNER " + ProcessHandle.current().pid());
                    new BufferedReader(new InputStreamReader(System.in)).readLine();
                } catch (PidFile.AlreadyRunningException e) {
                    System.out.println("RUNNING " + e.pid());
                }
            }
            case "data-incr" -> { // name key times: increment a counter value atomically
                try (SharedData d = new SharedData(args[1])) {
                    for (int i = 0; i < Integer.parseInt(args[3]); i++) {
                        d.update(args[2], n -> n == null ? "1" : Long.toString(Long.parseLong(n) + 1));
                    }
                }
                System.out.println("DONE");
            }
            case "data-watch" -> { // name: print each change until the key "stop" appears
                try (SharedData d = new SharedData(args[1])) {
                    var changes = d.watch();
                    System.out.println("WATCHING");
                    while (true) {
                        SharedData.Change c = changes.receive();
                        System.out.println("CHANGE " + c.key() + " " + c.oldValue() + " " + c.newValue());
                        if (c.key().equals("stop")) {
                            break;
                        }
                    }
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** Maps the first 64 bytes of a file (made if missing), native order. */
    static MappedByteBuffer map(String file) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return (MappedByteBuffer) ch.map(FileChannel.MapMode.READ_WRITE, 0, 64).order(ByteOrder.nativeOrder());
        }
    }
}
