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

    /** A trace of {@code ops} lines, its first line the tunables comment. */
    public static String generate(Random rnd, int ops, String tunables) {
        StringBuilder sb = new StringBuilder("# GLIBC_TUNABLES=").append(tunables).append('\n');
        List<Integer> live = new ArrayList<>();
        boolean[] alive = new boolean[8];
        int id = 0;
        for (int step = 0; step < ops; step++) {
            double x = rnd.nextDouble();
            if (x < 0.07) {
                int k = rnd.nextInt(7);
                alive[k] = true;
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
        return sb.toString();
    }
}
