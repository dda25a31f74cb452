package io.mallocscope.cli.source;

import io.mallocscope.cli.model.Changes;
import io.mallocscope.cli.model.Emphasis;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.runtime.text.Hex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a call of a trace with thread lines changed, as the thread that made it sees the heap: main_arena
 * with that thread's tcache (as a single-threaded trace's calls are told), then the chunks, top and bins
 * of every other arena the call changed (the thread's own, or the arena of a chunk it freed), each line
 * prefixed {@code arena 0x…:} (its address, which {@code --arena} takes too: the numbers {@code arenas}
 * gives change as arenas are made). Every arena is read before the call, which may make one.
 */
final class ThreadViews {
    private final int thread;
    private final HeapSnapshot main;
    private final Map<Long, HeapSnapshot> arenas = new HashMap<>();

    private ThreadViews(int thread, HeapSnapshot main) {
        this.thread = thread;
        this.main = main;
    }

    /** The views before step {@code step}'s call, which thread {@code thread} makes. */
    static ThreadViews before(int step, CProcess p, int thread) {
        long tp = threadPointer(p, thread);
        HeapView v = p.malloc().view();
        ThreadViews t = new ThreadViews(thread, HeapViews.light(step, p, v.mainArena(), tp));
        for (HeapView.Arena a : v.arenas()) {
            if (!a.main()) {
                t.arenas.put(a.address(), HeapViews.light(step, p, a.address(), 0));
            }
        }
        return t;
    }

    /** The lines of what the call changed, now that it has run (the process is after step {@code step}). */
    List<String> changes(int step, CProcess p, Changes diff) {
        long tp = threadPointer(p, thread);
        HeapView v = p.malloc().view();
        List<String> lines = new ArrayList<>(diff.between(main, HeapViews.light(step, p, v.mainArena(), tp), Emphasis.PLAIN));
        // every other arena the call changed: the thread's own, or another's (a free goes to the chunk's arena)
        for (HeapView.Arena a : v.arenas()) {
            if (a.main()) {
                continue;
            }
            HeapSnapshot after = HeapViews.light(step, p, a.address(), 0);
            HeapSnapshot before = arenas.get(a.address());
            if (before == null) { // made by this call
                before = new HeapSnapshot(after.step(), after.heapStart(), 0, after.brk(), after.mainArena(), List.of(),
                        List.of(), List.of(), after.maps(), Map.of(), after.memory(), false);
            }
            String name = "arena " + Hex.of(a.address()) + ": ";
            for (String line : diff.between(before, after, Emphasis.PLAIN)) {
                // the process-wide lines (brk, maps) and the mp_ parameters are main_arena's view's already
                if (line.startsWith("brk:") || line.startsWith("maps:") || line.startsWith("mp_.")
                        || line.startsWith("main_arena.last_remainder")) {
                    continue;
                }
                lines.add(name + (line.startsWith("main_arena.") ? line.substring("main_arena.".length()) : line));
            }
        }
        return lines;
    }

    private static long threadPointer(CProcess p, int thread) {
        long[] tps = p.libc().threadPointers();
        return thread < tps.length ? tps[thread] : 0;
    }
}
