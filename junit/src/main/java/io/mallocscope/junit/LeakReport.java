package io.mallocscope.junit;

import java.util.List;

/**
 * Renders leaks the way Valgrind's memcheck prints "definitely lost" loss records: the block, then
 * the stack that allocated it, innermost frame first ({@code by …} lines in Java's stack-trace form, so
 * an IDE links them to the source).
 */
final class LeakReport {
    private LeakReport() {
    }

    static String format(List<Leak> leaks, long heapStart) {
        if (leaks.isEmpty()) {
            return "";
        }
        String nl = System.lineSeparator();
        StringBuilder sb = new StringBuilder();
        long total = 0;
        for (int i = 0; i < leaks.size(); i++) {
            Leak l = leaks.get(i);
            total += l.bytes();
            sb.append(l.bytes()).append(" bytes in 1 blocks are definitely lost in loss record ").append(i + 1)
                    .append(" of ").append(leaks.size()).append(nl);
            String where = l.mmapped() ? "mmapped chunk" : "heap+0x" + Long.toHexString(l.pointer() - heapStart);
            Allocation a = l.allocation();
            sb.append("   at 0x").append(Long.toHexString(l.pointer())).append(": ")
                    .append(a == null ? "???" : a.function())
                    .append(" (").append(where).append(", chunk 0x").append(Long.toHexString(l.chunkSize())).append(')')
                    .append(nl);
            if (a == null) {
                sb.append("   by (unknown: allocated before the process's Heap began recording)").append(nl);
            } else {
                for (String frame : a.stack()) {
                    sb.append("   by ").append(frame).append(nl);
                }
            }
        }
        sb.append("LEAK SUMMARY: definitely lost: ").append(total).append(" bytes in ").append(leaks.size())
                .append(" blocks").append(nl);
        return sb.toString();
    }
}
