package dev.crossrole.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;

/**
 * Whether this JVM runs with the maximum heap it picked for itself: a quarter of the machine's (or container's)
 * memory, gigabytes on a developer's laptop, which the heap then grows towards under load. {@code ./crossrole}
 * sets one ({@code CROSSROLE_MAX_HEAP}); {@code java -jar crossrole.jar} cannot, a jar has no say in its JVM's
 * options, so {@code serve} says how to.
 */
final class HeapLimit {
    /** The options that bound the heap; set by any means (command line, JAVA_TOOL_OPTIONS, a flags file) they count. */
    private static final List<String> BOUNDING = List.of("MaxHeapSize", "MaxRAMPercentage", "MaxRAMFraction", "MaxRAM");

    private HeapLimit() {}

    /** A one-line hint when no option bounded the heap, else empty (also when the JVM cannot tell). */
    static Optional<String> hint() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (hotspot == null) {
            return Optional.empty();
        }
        for (String option : BOUNDING) {
            VMOption.Origin origin;
            try {
                origin = hotspot.getVMOption(option).getOrigin();
            } catch (IllegalArgumentException e) {
                continue; // not an option of this JVM
            }
            if (origin != VMOption.Origin.DEFAULT && origin != VMOption.Origin.ERGONOMIC) {
                return Optional.empty();
            }
        }
        long mib = Runtime.getRuntime().maxMemory() >> 20;
        return Optional.of("crossrole: the JVM's maximum heap is its default, " + mib + " MiB (a quarter of this"
                + " machine's memory), which the heap grows towards under load; ./crossrole sets one"
                + " (CROSSROLE_MAX_HEAP, default 512m), or start java with -Xmx512m.");
    }
}
