package io.mallocscope.runtime.glibc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Random malloclab-style traces (the {@code .rep} format read by {@code src/test/c/replay.c} and
 * by the Java replayer) for differential tests against real glibc. Plain JDK only.
 *
 * <p>The output depends only on the {@link Random}'s sequence, so a seed reproduces a trace.
 * Generated traces only free or realloc IDs that are live; IDs are fresh (0, 1, 2, ...), so a
 * trace of N ops uses fewer than N IDs. Live requested bytes stay below {@link #MAX_LIVE_BYTES}
 * and the number of live blocks below {@link #MAX_LIVE_BLOCKS}, so real glibc never runs out of
 * memory. Memalign alignments never exceed 4096: with a larger alignment the result depends on
 * the (ASLR-randomised) break modulo the alignment, which offsets from the break cannot express.
 */
public final class RandomTraces {

    /** Shape of the generated workload. */
    public enum Profile {
        /** Requests of 0..128 bytes: tcache, fastbins, fastbin->tcache stashing. */
        SMALL,
        /** Mostly 0..2000 bytes plus some 100k..300k (mmap threshold, dynamic threshold). */
        MIXED,
        /** 1000..70000 bytes (log-uniform): large bins, binmap scan, consolidation, top growth. */
        LARGE,
        /** About 40% realloc: in place, moved, into top, mremap, realloc(p, 0). */
        REALLOC_HEAVY,
        /** MIXED plus {@code t PAD} (malloc_trim) ops. */
        WITH_TRIM,
        /** MIXED-like plus {@code m ID ALIGN BYTES} (memalign) ops with alignments 8..4096. */
        MEMALIGN
    }

    /** Upper bound on the sum of requested sizes of live blocks. */
    public static final long MAX_LIVE_BYTES = 160L << 20;
    /** Upper bound on the number of live blocks. */
    public static final int MAX_LIVE_BLOCKS = 5000;

    private static final int[] SMALL_FAVOURITES = {0, 1, 8, 16, 24, 25, 32, 40, 48, 56, 64, 72, 88, 100, 104, 120, 128};
    private static final int[] ALIGNMENTS = {8, 16, 32, 48, 64, 96, 128, 256, 512, 1024, 2048, 4096};

    private RandomTraces() {}

    /** A trace of {@code ops} operations with a header comment naming the profile and seed. */
    public static String generate(long seed, Profile profile, int ops) {
        return generate(new Random(seed), profile, ops, null, "seed=" + seed);
    }

    /** A trace of {@code ops} operations drawn from {@code rnd}. */
    public static String generate(Random rnd, Profile profile, int ops) {
        return generate(rnd, profile, ops, null, null);
    }

    /**
     * A trace of {@code ops} operations drawn from {@code rnd}; when {@code tunablesOrNull} is
     * non-null the trace carries a {@code # tunables: VALUE} comment (read by the recorder and the
     * Java replayer; {@link NativeHarness#run(java.nio.file.Path)} uses it too).
     */
    public static String generate(Random rnd, Profile profile, int ops, String tunablesOrNull) {
        return generate(rnd, profile, ops, tunablesOrNull, null);
    }

    private static String generate(Random rnd, Profile profile, int ops, String tunables, String note) {
        Objects.requireNonNull(rnd, "rnd");
        Objects.requireNonNull(profile, "profile");
        if (ops < 0 || ops > 4_000_000) {
            throw new IllegalArgumentException("ops must be in 0..4000000: " + ops);
        }
        StringBuilder sb = new StringBuilder(ops * 12 + 200);
        sb.append("# random trace (RandomTraces): profile=").append(profile).append(" ops=").append(ops);
        if (note != null) {
            sb.append(' ').append(note);
        }
        sb.append('\n');
        if (tunables != null) {
            sb.append(NativeHarness.TUNABLES_PREFIX).append(' ').append(tunables).append('\n');
        }
        new Gen(rnd, profile, sb).run(ops);
        return sb.toString();
    }

    /**
     * One to three random malloc tunables in GLIBC_TUNABLES syntax, e.g.
     * {@code glibc.malloc.tcache_count=3:glibc.malloc.mxfast=64}. Never empty.
     */
    public static String randomTunables(Random rnd) {
        String[] names = {
            "tcache_count", "tcache_max", "tcache_unsorted_limit", "mxfast", "mmap_threshold",
            "trim_threshold", "top_pad", "mmap_max", "perturb"
        };
        int k = 1 + rnd.nextInt(3);
        List<String> chosen = new ArrayList<>();
        boolean[] used = new boolean[names.length];
        while (chosen.size() < k) {
            int i = rnd.nextInt(names.length);
            if (used[i]) {
                continue;
            }
            used[i] = true;
            chosen.add("glibc.malloc." + names[i] + "=" + tunableValue(rnd, names[i]));
        }
        return String.join(":", chosen);
    }

    private static long tunableValue(Random rnd, String name) {
        switch (name) {
            case "tcache_count":
                return rnd.nextInt(10) == 0 ? 8 + rnd.nextInt(60) : rnd.nextInt(8);
            case "tcache_max":
                return rnd.nextBoolean() ? pick(rnd, 0, 24, 100, 256, 512, 1016, 1032) : rnd.nextInt(1100);
            case "tcache_unsorted_limit":
                return rnd.nextInt(11);
            case "mxfast":
                return rnd.nextBoolean() ? pick(rnd, 0, 16, 24, 32, 64, 80, 128, 160) : rnd.nextInt(161);
            case "mmap_threshold":
                return rnd.nextBoolean() ? pick(rnd, 4096, 65536, 131072, 262144, 1048576, 33554432) : rnd.nextInt(2 << 20);
            case "trim_threshold":
                return rnd.nextBoolean() ? pick(rnd, 0, 4096, 65536, 131072, 1048576) : rnd.nextInt(2 << 20);
            case "top_pad":
                return rnd.nextBoolean() ? pick(rnd, 0, 4096, 65536, 131072, 1048576) : rnd.nextInt(2 << 20);
            case "mmap_max":
                return pick(rnd, 0, 1, 4, 64, 65536);
            case "perturb":
                return rnd.nextInt(256);
            default:
                throw new IllegalArgumentException(name);
        }
    }

    private static long pick(Random rnd, long... values) {
        return values[rnd.nextInt(values.length)];
    }

    // ------------------------------------------------------------------ generator

    private static final class Gen {
        private final Random rnd;
        private final Profile profile;
        private final StringBuilder out;
        private final ArrayList<Integer> liveIds = new ArrayList<>();
        private final ArrayList<Long> liveSizes = new ArrayList<>();
        private long liveBytes;
        private int nextId;

        Gen(Random rnd, Profile profile, StringBuilder out) {
            this.rnd = rnd;
            this.profile = profile;
            this.out = out;
        }

        void run(int ops) {
            for (int i = 0; i < ops; i++) {
                step();
            }
        }

        /** Weights for a, f, c, r, t, m. */
        private int[] weights() {
            switch (profile) {
                case SMALL: return new int[] {48, 44, 4, 4, 0, 0};
                case MIXED: return new int[] {45, 43, 4, 8, 0, 0};
                case LARGE: return new int[] {45, 45, 3, 7, 0, 0};
                case REALLOC_HEAVY: return new int[] {30, 25, 3, 42, 0, 0};
                case WITH_TRIM: return new int[] {44, 45, 3, 5, 3, 0};
                case MEMALIGN: return new int[] {35, 42, 3, 5, 0, 15};
                default: throw new AssertionError(profile);
            }
        }

        private void step() {
            int[] w = weights();
            char op;
            if (liveIds.isEmpty()) {
                op = w[5] > 0 && rnd.nextInt(4) == 0 ? 'm' : 'a';
            } else if (liveBytes > MAX_LIVE_BYTES * 3 / 4 || liveIds.size() >= MAX_LIVE_BLOCKS) {
                op = 'f';
            } else {
                int total = 0;
                for (int x : w) {
                    total += x;
                }
                int r = rnd.nextInt(total);
                String ops = "afcrtm";
                int i = 0;
                while (r >= w[i]) {
                    r -= w[i];
                    i++;
                }
                op = ops.charAt(i);
            }
            switch (op) {
                case 'a': alloc('a', size()); break;
                case 'c': alloc('c', Math.min(size(), 400_000)); break;
                case 'f': free(); break;
                case 'r': realloc(); break;
                case 't': trim(); break;
                case 'm': memalign(); break;
                default: throw new AssertionError(op);
            }
        }

        private long size() {
            switch (profile) {
                case SMALL:
                    return rnd.nextInt(10) < 6 ? SMALL_FAVOURITES[rnd.nextInt(SMALL_FAVOURITES.length)] : rnd.nextInt(129);
                case MIXED:
                case WITH_TRIM:
                    return mixed();
                case LARGE:
                    return logUniform(1000, 70000);
                case REALLOC_HEAVY: {
                    int r = rnd.nextInt(100);
                    if (r < 80) {
                        return rnd.nextInt(1501);
                    }
                    return r < 95 ? logUniform(1500, 20000) : 100_000 + rnd.nextInt(200_001);
                }
                case MEMALIGN:
                    return rnd.nextInt(100) < 96 ? rnd.nextInt(3001) : 100_000 + rnd.nextInt(200_001);
                default:
                    throw new AssertionError(profile);
            }
        }

        private long mixed() {
            int r = rnd.nextInt(100);
            if (r < 95) {
                return rnd.nextBoolean() ? rnd.nextInt(257) : rnd.nextInt(2001);
            }
            return 100_000 + rnd.nextInt(200_001);
        }

        private long logUniform(long lo, long hi) {
            double l = Math.log(lo);
            double h = Math.log(hi);
            long v = Math.round(Math.exp(l + rnd.nextDouble() * (h - l)));
            return Math.max(lo, Math.min(hi, v));
        }

        private void alloc(char kind, long bytes) {
            int id = nextId++;
            out.append(kind).append(' ').append(id).append(' ').append(bytes).append('\n');
            addLive(id, bytes);
        }

        private void memalign() {
            int align = ALIGNMENTS[rnd.nextInt(ALIGNMENTS.length)];
            long bytes = size();
            int id = nextId++;
            out.append("m ").append(id).append(' ').append(align).append(' ').append(bytes).append('\n');
            addLive(id, bytes);
        }

        private void free() {
            int idx = pickLive();
            out.append("f ").append(liveIds.get(idx)).append('\n');
            removeLive(idx);
        }

        private void realloc() {
            int idx = pickLive();
            int id = liveIds.get(idx);
            long old = liveSizes.get(idx);
            long bytes;
            int r = rnd.nextInt(100);
            if (r < 3) {
                bytes = 0; // realloc(p, 0) frees
            } else if (r < 40) {
                bytes = old + 1 + (long) (rnd.nextDouble() * Math.max(64, old * 2));
            } else if (r < 65) {
                bytes = (long) (rnd.nextDouble() * old);
            } else if (r < 75) {
                bytes = Math.max(0, old + rnd.nextInt(33) - 16);
            } else if (r < (profile == Profile.REALLOC_HEAVY ? 95 : 99)) {
                bytes = size();
            } else {
                bytes = 130_000 + rnd.nextInt(270_001);
            }
            bytes = Math.min(bytes, 400_000);
            if (bytes > 0 && liveBytes - old + bytes > MAX_LIVE_BYTES) {
                bytes = old;
            }
            out.append("r ").append(id).append(' ').append(bytes).append('\n');
            if (bytes == 0) {
                removeLive(idx);
            } else {
                liveBytes += bytes - old;
                liveSizes.set(idx, bytes);
            }
        }

        private void trim() {
            long pad;
            switch (rnd.nextInt(6)) {
                case 0:
                case 1: pad = 0; break;
                case 2: pad = 4096; break;
                case 3: pad = 65536; break;
                case 4: pad = 131072; break;
                default: pad = rnd.nextInt(300_001); break;
            }
            out.append("t ").append(pad).append('\n');
        }

        /** Mostly uniform, sometimes one of the most recent blocks (LIFO-ish: coalescing with top). */
        private int pickLive() {
            int n = liveIds.size();
            if (rnd.nextInt(10) < 3) {
                return n - 1 - rnd.nextInt(Math.min(n, 4));
            }
            return rnd.nextInt(n);
        }

        private void addLive(int id, long bytes) {
            liveIds.add(id);
            liveSizes.add(bytes);
            liveBytes += bytes;
        }

        private void removeLive(int idx) {
            int last = liveIds.size() - 1;
            liveBytes -= liveSizes.get(idx);
            liveIds.set(idx, liveIds.get(last));
            liveSizes.set(idx, liveSizes.get(last));
            liveIds.remove(last);
            liveSizes.remove(last);
        }
    }
}
