package dev.hoare.benchmarks;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.SynchronousQueue;

/** One message conduit under test, reduced to a blocking put and take. */
interface Pipe {
    void put(Integer value) throws InterruptedException;

    Integer take() throws InterruptedException;

    /**
     * @param impl hoare, jox, abq (ArrayBlockingQueue), ltq (LinkedTransferQueue) or sq (SynchronousQueue)
     * @param capacity 0 for a rendezvous
     */
    static Pipe create(String impl, int capacity) {
        return switch (impl) {
            case "hoare" -> {
                dev.hoare.channels.Channel<Integer> ch = capacity == 0
                        ? dev.hoare.channels.Channel.unbuffered()
                        : dev.hoare.channels.Channel.buffered(capacity);
                yield new Pipe() {
                    public void put(Integer v) throws InterruptedException {
                        ch.send(v);
                    }

                    public Integer take() throws InterruptedException {
                        return ch.receive();
                    }
                };
            }
            case "jox" -> {
                com.softwaremill.jox.Channel<Integer> ch = capacity == 0
                        ? com.softwaremill.jox.Channel.newRendezvousChannel()
                        : com.softwaremill.jox.Channel.newBufferedChannel(capacity);
                yield new Pipe() {
                    public void put(Integer v) throws InterruptedException {
                        ch.send(v);
                    }

                    public Integer take() throws InterruptedException {
                        return ch.receive();
                    }
                };
            }
            case "abq" -> queue(new ArrayBlockingQueue<>(capacity), false);
            case "sq" -> queue(new SynchronousQueue<>(), false);
            // unbounded for buffered runs (put never waits); transfer() makes it a rendezvous
            case "ltq" -> queue(new LinkedTransferQueue<>(), capacity == 0);
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };
    }

    private static Pipe queue(java.util.concurrent.BlockingQueue<Integer> q, boolean transfer) {
        return new Pipe() {
            public void put(Integer v) throws InterruptedException {
                if (transfer) {
                    ((LinkedTransferQueue<Integer>) q).transfer(v);
                } else {
                    q.put(v);
                }
            }

            public Integer take() throws InterruptedException {
                return q.take();
            }
        };
    }
}
