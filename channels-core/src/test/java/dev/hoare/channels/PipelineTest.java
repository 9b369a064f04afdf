package dev.hoare.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Classic CSP programs: a long chain of goroutines and the concurrent prime sieve. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelineTest {

    /** Go's "daisy chain": 10,000 virtual threads, each relaying one token over unbuffered channels. */
    @Test
    void tenThousandStageChainOfUnbufferedChannelsRelaysAToken() throws Exception {
        int stages = 10_000;
        Channel<Integer> first = Channel.unbuffered();
        Channel<Integer> left = first;
        List<Thread> threads = new ArrayList<>(stages);
        for (int i = 0; i < stages; i++) {
            Channel<Integer> from = left;
            Channel<Integer> to = Channel.unbuffered();
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    to.send(from.receive() + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            left = to;
        }
        first.send(1);
        assertEquals(stages + 1, left.receive());
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    /** The concurrent prime sieve of Go's tour: a chain of filters, one virtual thread per prime. */
    @Test
    void primeSieveGivesTheFirstHundredPrimes() throws Exception {
        Channel<Integer> source = Channel.unbuffered();
        List<Thread> threads = new ArrayList<>();
        threads.add(Thread.ofVirtual().start(() -> {
            try {
                for (int i = 2; ; i++) {
                    source.send(i);
                }
            } catch (InterruptedException | ChannelClosedException stop) {
                // cancelled at the end of the test
            }
        }));
        List<Integer> primes = new ArrayList<>();
        List<Channel<Integer>> all = new ArrayList<>(List.of(source));
        ReceiveChannel<Integer> in = source;
        for (int i = 0; i < 100; i++) {
            int prime = in.receive();
            primes.add(prime);
            Channel<Integer> out = Channel.unbuffered();
            all.add(out);
            ReceiveChannel<Integer> from = in;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    for (Integer v : from) {
                        if (v % prime != 0) {
                            out.send(v);
                        }
                    }
                } catch (InterruptedException | ChannelClosedException stop) {
                    // cancelled at the end of the test
                }
            }));
            in = out;
        }
        all.forEach(Channel::cancel);
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertEquals(expectedPrimes(100), primes);
    }

    private static List<Integer> expectedPrimes(int count) {
        List<Integer> primes = new ArrayList<>();
        for (int n = 2; primes.size() < count; n++) {
            int m = n;
            if (primes.stream().noneMatch(p -> m % p == 0)) {
                primes.add(n);
            }
        }
        return primes;
    }
}
