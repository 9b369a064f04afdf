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
