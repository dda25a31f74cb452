package io.mallocscope.junit;

import io.mallocscope.runtime.signal.Abort;
import io.mallocscope.runtime.signal.Segfault;
import io.mallocscope.runtime.signal.SimulatedSignal;
import org.opentest4j.AssertionFailedError;

import java.util.List;
import java.util.Map;

/**
 * Turns a signal that ended a test's simulated program (glibc's abort after an integrity check, a
 * segfault) into a test failure that says where: the program's frames of the signal's stack, and for
 * a free glibc refused, what memcheck adds, where the block was freed first and where it was allocated.
 */
final class CrashReport {
    private CrashReport() {
    }

    /**
     * The failure to report for {@code signal}, its stack trace the program's frames only.
     *
     * @param heap the Heap of the test's process, or null if the extension made none
     */
    static AssertionFailedError of(SimulatedSignal signal, Heap heap, ClassLoader loader) {
        String nl = System.lineSeparator();
        List<StackTraceElement> frames = CallSiteRecorder.programFrames(signal.getStackTrace(), loader);
        StringBuilder sb = new StringBuilder();
        sb.append(signal.getMessage().isEmpty() ? "abort()" : signal.getMessage()).append(nl);
        appendFrames(sb, frames.stream().map(StackTraceElement::toString).toList(), nl);
        if (heap != null) {
            CallSiteRecorder r = heap.recorder();
            long p = r.pointerBeingReleased();
            if (signal instanceof Abort && p != 0) {
                CallSiteRecorder.Freed f = r.freed(p);
                if (f != null) {
                    sb.append(" Address 0x").append(Long.toHexString(p)).append(where(heap, p))
                            .append(" is 0 bytes inside a block of size ").append(f.allocation().requested())
                            .append(" free'd").append(nl);
                    appendFrames(sb, f.stack(), nl);
                    sb.append(" Block was alloc'd at").append(nl);
                    appendFrames(sb, f.allocation().stack(), nl);
                } else if (r.allocation(p) == null) {
                    sb.append(" Address 0x").append(Long.toHexString(p)).append(where(heap, p))
                            .append(" was given to ").append(r.functionReleasing())
                            .append(" but malloc never returned it (or not recently)").append(nl);
                }
            } else if (signal instanceof Segfault segv) {
                Map.Entry<Long, CallSiteRecorder.Freed> e = r.freedContaining(segv.address());
                if (e != null) {
                    CallSiteRecorder.Freed f = e.getValue();
                    sb.append(" Address 0x").append(Long.toHexString(segv.address())).append(" is ")
                            .append(segv.address() - e.getKey()).append(" bytes inside a block of size ")
                            .append(f.allocation().requested()).append(" free'd").append(nl);
                    appendFrames(sb, f.stack(), nl);
                    sb.append(" Block was alloc'd at").append(nl);
                    appendFrames(sb, f.allocation().stack(), nl);
                }
            }
        }
        sb.append('(').append(signal instanceof Segfault ? "SIGSEGV" : signal instanceof Abort ? "SIGABRT" : "signal "
                + signal.signalNumber()).append(": the program was killed, status ").append(128 + signal.signalNumber())
                .append(')');
        AssertionFailedError failure = new AssertionFailedError(sb.toString());
        failure.setStackTrace(frames.toArray(new StackTraceElement[0]));
        return failure;
    }

    private static String where(Heap heap, long p) {
        long off = p - heap.start();
        return off >= 0 && off < (1L << 32) ? " (heap+0x" + Long.toHexString(off) + ")" : "";
    }

    /** Valgrind's frame lines: "at" the innermost, "by" the callers. */
    static void appendFrames(StringBuilder sb, List<String> frames, String nl) {
        if (frames.isEmpty()) {
            sb.append("   at ? (no frame of the program's own: the call came from mallocscope or the JDK)").append(nl);
        }
        for (int i = 0; i < frames.size(); i++) {
            sb.append(i == 0 ? "   at " : "   by ").append(frames.get(i)).append(nl);
        }
    }
}
