package io.mallocscope.junit;

import io.mallocscope.runtime.memcheck.LeakCheck;
import io.mallocscope.runtime.vm.AddressSpace;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders leaks the way Valgrind's memcheck prints its loss records: one record per allocation stack
 * (300 blocks leaked by one line are one record), "definitely lost" apart from "indirectly lost"
 * (reached only through other lost blocks, like a lost list's nodes), the stack innermost frame first
 * ({@code by …} lines in Java's stack-trace form, so an IDE links them to the source).
 */
final class LeakReport {
    private LeakReport() {
    }

    static String format(List<Leak> leaks, long heapStart, AddressSpace memory) {
        if (leaks.isEmpty()) {
            return "";
        }
        List<LeakCheck.Block> blocks = new ArrayList<>(leaks.size());
        for (Leak l : leaks) {
            Allocation a = l.allocation();
            blocks.add(new LeakCheck.Block(l.pointer(), l.bytes(), a == null ? "???" : a.function(),
                    a == null ? List.of() : a.stack()));
        }
        // No roots: a test's pointers live in Java variables, which memory cannot show, and the
        // process ends with the test; what one lost block points to is lost with it.
        List<LeakCheck.Kind> kinds = LeakCheck.classify(memory, blocks, List.of());
        return LeakCheck.report(blocks, kinds, false, b -> {
            Leak l = leaks.get(blocks.indexOf(b));
            String where = l.mmapped() ? "mmapped chunk" : "heap+0x" + Long.toHexString(l.pointer() - heapStart);
            return b.function() + " (" + where + ", chunk 0x" + Long.toHexString(l.chunkSize()) + ")";
        }, "(unknown: allocated before the process's Heap began recording)");
    }
}
