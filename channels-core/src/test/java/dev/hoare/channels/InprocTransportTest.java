package dev.hoare.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InprocTransportTest {
    private static int unique;

    private static URI fresh(String query) {
        return URI.create("inproc:test-" + System.nanoTime() + "-" + (unique++) + (query == null ? "" : "?" + query));
    }

    @Test
    void bothEndsShareTheNamedChannelAndCloseWithCauseCrosses() throws Exception {
        URI uri = fresh("capacity=4");
        try (SendChannel<String> out = Channels.openSend(uri, Codec.utf8());
             ReceiveChannel<String> in = Channels.openReceive(uri, Codec.utf8())) {
            out.send("a");
            out.send("b");
            IllegalStateException cause = new IllegalStateException("done");
            out.close(cause);
            assertEquals("a", in.receive());
            assertEquals("b", in.receive());
            assertSame(cause, assertThrows(ChannelClosedException.class, in::receive).getCause());
        }
    }

    @Test
    void capacityOptionIsHonouredAndDefaultsToARendezvous() throws Exception {
        URI buffered = fresh("capacity=2");
        SendChannel<String> out = Channels.openSend(buffered, Codec.utf8());
        assertTrue(out.trySend("1"));
        assertTrue(out.trySend("2"));
        assertFalse(out.trySend("3"));
        SendChannel<String> rendezvous = Channels.openSend(fresh(null), Codec.utf8());
        assertFalse(rendezvous.trySend("nobody receives"));
    }

    @Test
    void anInprocEndpointAndALocalChannelAreCasesOfOneSelect() throws Exception {
        URI uri = fresh(null);
        ReceiveChannel<String> remote = Channels.openReceive(uri, Codec.utf8());
        Channel<String> local = Channel.unbuffered();
        CompletableFuture<String> selecting = TestSupport.async(() -> Select.<String>select()
                .onReceive(local, v -> "local " + v)
                .onReceive(remote, v -> "inproc " + v)
                .onTimeout(Duration.ofSeconds(10), () -> "timeout")
                .run());
        SendChannel<String> out = Channels.openSend(uri, Codec.utf8());
        assertTrue(out.send("x", Duration.ofSeconds(10)));
        assertEquals("inproc x", selecting.get(10, TimeUnit.SECONDS));
    }

    @Test
    void anUnknownSchemeNamesTheSchemesFound() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Channels.openSend(URI.create("carrier-pigeon:coop"), Codec.utf8()));
        assertTrue(e.getMessage().contains("'carrier-pigeon:'") && e.getMessage().contains("inproc"), e.getMessage());
    }

    @Test
    void unknownOptionsAndBadNamesAreRefusedNotIgnored() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Channels.openSend(fresh("capacity=1&colour=blue"), Codec.utf8()));
        assertTrue(e.getMessage().contains("[colour]") && e.getMessage().contains("capacity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Channels.openSend(URI.create("inproc:../etc"), Codec.utf8()));
        assertThrows(IllegalArgumentException.class, () -> Channels.openSend(URI.create("inproc:a?capacity=x"), Codec.utf8()));
        assertThrows(IllegalArgumentException.class, () -> Channels.openSend(URI.create("inproc:a?capacity=1&capacity=2"), Codec.utf8()));
        assertThrows(IllegalArgumentException.class, () -> Channels.openSend(URI.create("orders"), Codec.utf8()));
    }

    @Test
    void bothEndsMustAgreeOnCodecAndCapacity() throws Exception {
        URI uri = fresh("capacity=3");
        Channels.openSend(uri, Codec.utf8());
        IllegalArgumentException codec = assertThrows(IllegalArgumentException.class,
                () -> Channels.openReceive(uri, Codec.bytes()));
        assertTrue(codec.getMessage().contains("codec mismatch"), codec.getMessage());
        String name = uri.getSchemeSpecificPart().split("\\?")[0];
        IllegalArgumentException cap = assertThrows(IllegalArgumentException.class,
                () -> Channels.openReceive(URI.create("inproc:" + name + "?capacity=5"), Codec.utf8()));
        assertTrue(cap.getMessage().contains("capacity 3"), cap.getMessage());
    }

    @Test
    void aClosedAndDrainedNameIsMadeAfreshOnTheNextOpen() throws Exception {
        URI uri = fresh("capacity=1");
        SendChannel<String> first = Channels.openSend(uri, Codec.utf8());
        first.close();
        SendChannel<String> second = Channels.openSend(uri, Codec.utf8());
        assertTrue(second.trySend("works"));
        assertEquals("works", Channels.openReceive(uri, Codec.utf8()).receive());
    }
}
