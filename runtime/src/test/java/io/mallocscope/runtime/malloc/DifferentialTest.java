package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.glibc.NativeHarness;
import io.mallocscope.runtime.glibc.RandomTraces;
import io.mallocscope.runtime.trace.OffsetsReplay;
import io.mallocscope.runtime.trace.Trace;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fresh random traces (every RandomTraces profile, half of them with random tunables, a third with
 * mallopt and foreign-sbrk calls mixed in) replayed on a real glibc and on ours, compared line for
 * line: 2.36 is the system glibc of the build machine; 2.31, 2.41 and 2.43 are Debian's libraries run
 * through their own loader ({@link NativeHarness#forVersion}). A version whose library is not available
 * here is skipped with the harness's reason. Some traces get version-specific tunables on top (2.31:
 * refused mmap thresholds; 2.43: large tcache bins). Set -Dmallocscope.diff.seed=N to reproduce a run,
 * -Dmallocscope.diff.traces / -Dmallocscope.diff.traces.other to change the counts (400 for 2.36, 120
 * for each other version); a failure names the seed of each failing trace.
 */
class DifferentialTest {
    static final int TRACES = Integer.getInteger("mallocscope.diff.traces", 400);
    static final int TRACES_OTHER = Integer.getInteger("mallocscope.diff.traces.other", 120);

    @ParameterizedTest(name = "glibc {0}")
    @ValueSource(strings = {"2.36", "2.31", "2.41", "2.43"})
    void randomTracesMatchRealGlibc(String version) {
        Optional<NativeHarness> h = NativeHarness.forVersion(version);
        Assumptions.assumeTrue(h.isPresent(), NativeHarness.skipReason(version));
        long base = Long.getLong("mallocscope.diff.seed", System.nanoTime());
        int traces = version.equals("2.36") ? TRACES : TRACES_OTHER;
        RandomTraces.Profile[] profiles = RandomTraces.Profile.values();
        List<String> failures = new ArrayList<>();
        for (int k = 0; k < traces; k++) {
            long seed = base + k;
            Random rnd = new Random(seed);
            RandomTraces.Profile p = profiles[k % profiles.length];
            String tunables = rnd.nextBoolean() ? RandomTraces.randomTunables(rnd) : null;
            if (k % 5 == 4) {
                tunables = versionTunables(version, rnd, tunables);
            }
            int ops = 200 + rnd.nextInt(1800);
            String text = RandomTraces.generate(rnd, p, ops, tunables);
            if (k % 3 == 0) {
                text = withMalloptAndSbrk(text, rnd);
            }
            String expected = h.get().runText(text, tunables);
            StringBuilder out = new StringBuilder();
            String got;
            try {
                OffsetsReplay.run(Trace.parse("seed-" + seed, text),
                        ProcessOptions.defaults().withGlibc(version).withStderr(new ByteArrayOutputStream()), out);
                got = out.toString();
            } catch (RuntimeException e) {
                got = out + "EXCEPTION " + e;
            }
            if (!got.equals(expected)) {
                failures.add("seed " + seed + " (" + p + ", tunables " + tunables + "): " + firstDifference(expected, got));
            }
        }
        assertThat(failures).as("traces differing from glibc %s (base seed %d, -Dmallocscope.diff.seed=%d)", version,
                base, base).isEmpty();
    }

    /** Tunables that exercise what is particular to a version, added to (or replacing) the random ones. */
    static String versionTunables(String version, Random r, String tunables) {
        String extra = switch (version) {
            // refused above 32 MiB before 2.35; the GLIBC_TUNABLES length moves the break
            case "2.31" -> r.nextBoolean() ? "glibc.malloc.mmap_threshold=" + (r.nextBoolean() ? 40000000 : 33554432)
                    : "glibc.rtld.nns=" + (1 + r.nextInt(4)) + ":glibc.malloc.top_pad=" + r.nextInt(70000);
            // large tcache bins (2.42+) and the fill count that changed in 2.43
            case "2.43" -> "glibc.malloc.tcache_max=" + (r.nextBoolean() ? 300000 : 2000 + r.nextInt(4000000))
                    + (r.nextBoolean() ? ":glibc.malloc.tcache_count=" + (1 + r.nextInt(20)) : "");
            default -> "glibc.malloc.tcache_count=" + r.nextInt(3);
        };
        return tunables == null || r.nextBoolean() ? extra : tunables + ":" + extra;
    }

    /**
     * Sprinkles mallopt calls (every parameter, odd values included) and foreign sbrk calls into a
     * trace: about one op in 125 is a mallopt, one in 250 an sbrk.
     */
    static String withMalloptAndSbrk(String text, Random r) {
        StringBuilder sb = new StringBuilder(text.length() + 256);
        int[] params = {1, -1, -2, -3, -4, -5, -6, -7, -8, 99};
        for (String line : text.split("\n")) {
            sb.append(line).append('\n');
            if (line.startsWith("#")) {
                continue;
            }
            int x = r.nextInt(1000);
            if (x < 8) {
                int p = params[r.nextInt(params.length)];
                long v = switch (p) {
                    case 1 -> r.nextInt(200) - 10;
                    case -1, -3 -> r.nextInt(4) == 0 ? r.nextInt(1 << 20) : r.nextInt(400000);
                    case -2 -> r.nextInt(300000);
                    case -4 -> r.nextInt(5) - 1;
                    case -6 -> r.nextInt(256);
                    default -> r.nextInt(10) - 2;
                };
                sb.append("o ").append(p).append(' ').append(v).append('\n');
            } else if (x < 12) {
                sb.append("s ").append(r.nextInt(3) == 0 ? r.nextInt(100) : r.nextInt(70000)).append('\n');
            }
        }
        return sb.toString();
    }

    static String firstDifference(String expected, String got) {
        String[] e = expected.split("\n");
        String[] g = got.split("\n");
        int i = 0;
        while (i < e.length && i < g.length && e[i].equals(g[i])) {
            i++;
        }
        return "line " + (i + 1) + ": expected '" + (i < e.length ? e[i] : "<end>") + "' got '"
                + (i < g.length ? g[i] : "<end>") + "'";
    }
}
