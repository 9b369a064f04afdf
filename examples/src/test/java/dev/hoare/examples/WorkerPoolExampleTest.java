package dev.hoare.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WorkerPoolExampleTest {
    private static final Pattern DID = Pattern.compile("worker (\\d+) did (job \\d+)");

    /** The README's worker pool, run as the README runs it: every job done once, by one of three workers. */
    @Test
    void threeWorkerProcessesDoEveryJobExactlyOnce() throws Exception {
        ExampleRun r = ExampleRun.of(WorkerPoolExample.class);
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(WorkerPoolExample.JOBS + " jobs done", lines.get(lines.size() - 1), r.out());
        List<Matcher> did = lines.stream().map(DID::matcher).filter(Matcher::matches).toList();
        Map<String, Long> perJob = did.stream().collect(Collectors.groupingBy(m -> m.group(2), Collectors.counting()));
        assertEquals(WorkerPoolExample.JOBS, perJob.size(), r.out());
        assertTrue(perJob.values().stream().allMatch(n -> n == 1), "a job done twice: " + r.out());
        assertEquals(WorkerPoolExample.JOBS + 1, lines.size(), "nothing else printed, no line torn: " + r.out());
        long workers = did.stream().map(m -> m.group(1)).distinct().count();
        assertTrue(workers >= 1 && workers <= 3, r.out());
    }
}
