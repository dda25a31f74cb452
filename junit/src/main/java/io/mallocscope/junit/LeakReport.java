package io.mallocscope.junit;

import java.util.List;

/** Renders leaks the way Valgrind's memcheck prints "definitely lost" loss records. */
final class LeakReport {
    private LeakReport() {
    }

    static String format(List<Leak> leaks, long heapStart) {
        if (leaks.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        long total = 0;
        for (int i = 0; i < leaks.size(); i++) {
            Leak l = leaks.get(i);
            total += l.bytes();
            sb.append(String.format("%d bytes in 1 blocks are definitely lost in loss record %d of %d%n", l.bytes(),
                    i + 1, leaks.size()));
            String where = l.mmapped() ? "mmapped chunk" : "heap+0x" + Long.toHexString(l.pointer() - heapStart);
            Allocation a = l.allocation();
            if (a != null) {
                sb.append(String.format("   at 0x%x: %s(%d) (%s, chunk 0x%x)%n", l.pointer(), a.function(),
                        a.requested(), where, l.chunkSize()));
                sb.append("   by ").append(a.callSite()).append(System.lineSeparator());
            } else {
                sb.append(String.format("   at 0x%x: (%s, chunk 0x%x)%n", l.pointer(), where, l.chunkSize()));
                sb.append("   by (unknown: allocated by calling LibC directly; allocate through Heap to record call sites)")
                        .append(System.lineSeparator());
            }
        }
        sb.append(String.format("LEAK SUMMARY: definitely lost: %d bytes in %d blocks%n", total, leaks.size()));
        return sb.toString();
    }
}
