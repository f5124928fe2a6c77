package io.ingressgateway.support;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * How many instances of a class the JVM still holds, from a class histogram (HotSpot's {@code GC.class_histogram},
 * which runs a full collection first, so only reachable objects are counted).
 *
 * <p>Tests use it to show that nothing of each request stays reachable after a load is over, by counting the objects
 * every request creates. Unlike comparing heap sizes, the count does not depend on when the collector ran, on what
 * else the JVM allocated meanwhile, or on how large an object is.
 */
public final class RetainedObjects {

    private RetainedObjects() {
    }

    /** Live instances of the class named exactly {@code className}; 0 when there are none. */
    public static long count(String className) {
        String histogram = histogram();
        for (String line : histogram.split("\n")) {
            // "   7:         120       2880  org.example.Thing (java.base@17)"
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 4 && fields[0].endsWith(":") && fields[3].equals(className)) {
                return Long.parseLong(fields[1]);
            }
        }
        return 0;
    }

    private static String histogram() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("class histogram unavailable", e);
        }
    }
}
