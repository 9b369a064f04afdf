package dev.hoare.channels.contract;

import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * This JVM's native memory tagged "Other": direct buffers, and the JDK's temporary native buffers
 * for I/O on heap arrays (which {@link java.lang.management.BufferPoolMXBean} does not count).
 * Needs {@code -XX:NativeMemoryTracking=summary}, so tests read it in a child JVM.
 */
public final class NativeMemory {
    private NativeMemory() {
    }

    private static final String LINE = "other KB: ";

    /** In a child JVM: prints its {@link #otherKb} as a line that {@link #expectOtherKb} reads. */
    public static void print() throws Exception {
        System.out.println(LINE + otherKb());
    }

    /**
     * In the test: waits for the child's {@link #print} line.
     *
     * @return the figure it printed, in KB
     */
    public static long expectOtherKb(ChildJvm child) throws InterruptedException {
        return Long.parseLong(child.expect(LINE).substring(LINE.length()).trim());
    }

    /** @return the "Other" line of the native memory summary, in KB */
    public static long otherKb() throws Exception {
        String summary = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "vmNativeMemory", new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()}).toString();
        Matcher m = Pattern.compile("Other \\(reserved=(\\d+)KB").matcher(summary);
        if (!m.find()) {
            throw new IllegalStateException("no Other line in the native memory summary (is -XX:NativeMemoryTracking=summary set?):\n" + summary);
        }
        return Long.parseLong(m.group(1));
    }
}
