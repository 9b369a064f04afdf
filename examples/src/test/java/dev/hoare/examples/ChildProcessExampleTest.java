package dev.hoare.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChildProcessExampleTest {
    /** The README's example as the README runs it: its own JVM, which starts the child. */
    @Test
    void aParentTalksToItsChildOverTheChildsStdinAndStdout() throws Exception {
        ExampleRun r = ExampleRun.of(ChildProcessExample.class);
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("HELLO", "CHILD", "exit 0"), r.out().lines().toList(), r.err());
        assertEquals(List.of("child got hello", "child got child"), r.err().lines().toList(), "the child's println, on stderr");
    }
}
