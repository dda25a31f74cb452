package io.mallocscope.cli.testing;

import io.mallocscope.cli.model.ArenaTable;
import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.source.Focus;
import io.mallocscope.cli.source.StateSource;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The threaded harness's offsets format rebuilt from what the views of a source show: a block's WHERE
 * and size word ({@code H+0x2a0 0x21}, {@code M+0x10 0x31002}, {@code A1.2+0xb70 0x25}) read off the main
 * arena's chunks, the mmapped chunks and the {@code arenas} table's heaps at a step.
 */
public final class ThreadedOffsets {
    private static final long HEAP_MAX_SIZE = 64L << 20;

    private ThreadedOffsets() {
    }

    public static String offset(long off) {
        return off >= 0 ? "H+0x" + Long.toHexString(off) : "H-0x" + Long.toHexString(-off);
    }

    /** WHERE and SIZE of the block {@code mem} handed out at {@code step}, as the views show it then. */
    public static String place(StateSource s, int step, long mem, long base, List<Long> arenas) {
        if (mem == 0) {
            return "NULL";
        }
        HeapSnapshot main = s.at(step);
        Optional<Chunk> c = main.chunks().stream().filter(x -> x.mem() == mem).findFirst();
        if (c.isPresent()) {
            return offset(mem - base) + " 0x" + Long.toHexString(c.get().sizeField());
        }
        c = main.mmapped().stream().filter(x -> x.mem() == mem).findFirst();
        if (c.isPresent()) {
            return "M+0x" + Long.toHexString(mem & 0xfff) + " 0x" + Long.toHexString(c.get().sizeField());
        }
        ArenaTable table = s.arenasAt(step, Focus.DEFAULT);
        long heap = mem & ~(HEAP_MAX_SIZE - 1);
        for (ArenaTable.Arena a : table.arenas()) {
            for (ArenaTable.Heap h : a.heaps()) {
                if (h.address() != heap) {
                    continue;
                }
                assertThat(h.arPtr()).isEqualTo(a.address());
                int depth = 1;
                for (long prev = h.prev(); prev != 0; depth++) {
                    long p = prev;
                    prev = a.heaps().stream().filter(x -> x.address() == p).findFirst().orElseThrow().prev();
                }
                if (!arenas.contains(a.address())) {
                    arenas.add(a.address());
                }
                HeapSnapshot in = s.at(step, new Focus(null, "0x" + Long.toHexString(a.address()), null));
                Chunk chunk = in.chunks().stream().filter(x -> x.mem() == mem).findFirst().orElseThrow();
                return "A" + (arenas.indexOf(a.address()) + 1) + (depth > 1 ? "." + depth : "") + "+0x"
                        + Long.toHexString(mem - heap) + " 0x" + Long.toHexString(chunk.sizeField());
            }
        }
        throw new AssertionError(Long.toHexString(mem) + " at step " + step + " is in no heap the views show");
    }
}
