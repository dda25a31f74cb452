package io.mallocscope.runtime.glibc;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random threaded traces for the live differential test: malloc, calloc, free (by any thread: IDs are
 * global), realloc and trim in up to seven threads, switched by {@code T K} and ended by {@code X K}
 * lines, with a {@code # GLIBC_TUNABLES=} line that always names {@code glibc.malloc.arena_max}.
 */
public final class RandomThreadedTraces {
    private static final long[] SIZES = {24, 40, 100, 200, 500, 1000, 1500, 4000, 10000, 70000, 140000};

    private RandomThreadedTraces() {
    }

    /** The tunables of trace {@code seed}: an arena limit from 1 to 8, sometimes a small tcache or mmap threshold. */
    public static String tunables(Random rnd) {
        String t = "glibc.malloc.arena_max=" + (1 + rnd.nextInt(8));
        return switch (rnd.nextInt(5)) {
            case 0 -> t + ":glibc.malloc.tcache_count=2";
            case 1 -> t + ":glibc.malloc.mmap_threshold=65536";
            case 2 -> t + ":glibc.malloc.tcache_count=0";
            default -> t;
        };
    }

    /**
     * A trace of {@code ops} lines (one more when a {@code T} line had to be added), its first line the
     * tunables comment. It always has a {@code T} line: without one, {@code replay.c -DTHREADS} prints the
     * single-threaded format (no {@code K: } prefixes), which is not what a threaded trace is compared on,
     * and {@link io.mallocscope.runtime.trace.ThreadedReplay} only takes traces that have one. When the
     * draw made none (about one trace in 1,400 of 100 ops), a {@code T K} (K from 1 to 6) is inserted
     * before a random op; every trace that had one stays as it was.
     */
    public static String generate(Random rnd, int ops, String tunables) {
        String header = "# GLIBC_TUNABLES=" + tunables + "\n";
        StringBuilder sb = new StringBuilder(header);
        boolean switched = false;
        List<Integer> live = new ArrayList<>();
        boolean[] alive = new boolean[8];
        int id = 0;
        for (int step = 0; step < ops; step++) {
            double x = rnd.nextDouble();
            if (x < 0.07) {
                int k = rnd.nextInt(7);
                alive[k] = true;
                switched = true;
                sb.append("T ").append(k).append('\n');
            } else if (x < 0.09) {
                List<Integer> cand = new ArrayList<>();
                for (int k = 1; k < 8; k++) {
                    if (alive[k]) {
                        cand.add(k);
                    }
                }
                if (!cand.isEmpty()) {
                    int k = cand.get(rnd.nextInt(cand.size()));
                    alive[k] = false;
                    sb.append("X ").append(k).append('\n');
                }
            } else if (x < 0.5 || live.isEmpty()) {
                long size = SIZES[rnd.nextInt(SIZES.length)] + rnd.nextInt(31);
                sb.append(rnd.nextInt(5) == 0 ? 'c' : 'a').append(' ').append(id).append(' ').append(size).append('\n');
                live.add(id++);
            } else if (x < 0.9) {
                int i = live.remove(rnd.nextInt(live.size()));
                sb.append("f ").append(i).append('\n');
            } else if (x < 0.985) {
                int i = live.get(rnd.nextInt(live.size()));
                long size = SIZES[rnd.nextInt(SIZES.length)] + rnd.nextInt(31);
                sb.append("r ").append(i).append(' ').append(size).append('\n');
            } else {
                sb.append("t 0\n");
            }
        }
        if (!switched) { // no X line either: X needs a thread a T line started
            List<Integer> starts = new ArrayList<>();
            for (int i = header.length(); i < sb.length(); i = sb.indexOf("\n", i) + 1) {
                starts.add(i);
            }
            int at = starts.isEmpty() ? sb.length() : starts.get(rnd.nextInt(starts.size()));
            sb.insert(at, "T " + (1 + rnd.nextInt(6)) + "\n");
        }
        return sb.toString();
    }
}
