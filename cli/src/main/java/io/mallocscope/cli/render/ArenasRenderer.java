package io.mallocscope.cli.render;

import io.mallocscope.cli.model.ArenaTable;
import io.mallocscope.runtime.text.Hex;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Every arena of a process, as pwndbg's {@code arenas} and {@code heap -v} show them: each arena's
 * address, top chunk, {@code system_mem}, the threads attached to it, its list links, and a non-main
 * arena's heaps with their {@code heap_info} fields; then arena.c's {@code free_list}.
 */
public final class ArenasRenderer {
    public void render(ArenaTable t, PrintWriter out, Style style) {
        if (t.arenas().isEmpty()) {
            out.println(style.hint("no arena yet: malloc has not run in process " + t.pid()));
            return;
        }
        for (ArenaTable.Arena a : t.arenas()) {
            out.println(style.banner("arena " + a.number() + (a.main() ? " (main_arena)" : "") + " at " + Hex.of(a.address())));
            out.println("  top:              " + style.address(Hex.of(a.top())) + " (size " + Hex.of(a.topSize()) + ")");
            out.println("  system_mem:       " + Hex.of(a.systemMem()) + " (max " + Hex.of(a.maxSystemMem()) + ")");
            out.println("  threads:          " + threads(a));
            out.println("  attached_threads: " + a.attachedThreads());
            out.println("  next:             " + Hex.of(a.next()) + name(t, a.next()));
            out.println("  next_free:        " + Hex.of(a.nextFree()) + name(t, a.nextFree()));
            int h = 1;
            for (ArenaTable.Heap heap : a.heaps()) {
                out.println("  heap " + h++ + " at " + style.address(Hex.of(heap.address())) + ": ar_ptr " + Hex.of(heap.arPtr())
                        + ", prev " + Hex.of(heap.prev()) + ", size " + Hex.of(heap.size()) + ", mprotect_size "
                        + Hex.of(heap.mprotectSize()));
            }
        }
        List<String> free = new ArrayList<>();
        for (long a : t.freeList()) {
            free.add(Hex.of(a) + name(t, a));
        }
        out.println(style.banner("free_list") + " " + (free.isEmpty() ? style.hint("empty") : String.join(" —▸ ", free)));
    }

    private static String threads(ArenaTable.Arena a) {
        if (a.threads().isEmpty()) {
            return "none";
        }
        List<String> k = new ArrayList<>();
        for (int n : a.threads()) {
            k.add("t" + n);
        }
        return String.join(", ", k);
    }

    /** " (arena N)" for an arena's address, "" for 0 or anything else. */
    private static String name(ArenaTable t, long address) {
        for (ArenaTable.Arena a : t.arenas()) {
            if (a.address() == address && address != 0) {
                return " (arena " + a.number() + ")";
            }
        }
        return "";
    }
}
