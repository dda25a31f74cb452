package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.glibc.NativeHarness;
import io.mallocscope.runtime.glibc.RandomTraces;
import io.mallocscope.runtime.trace.OffsetsReplay;
import io.mallocscope.runtime.trace.Trace;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fresh random traces (every RandomTraces profile, half of them with random tunables, a third with
 * mallopt and foreign-sbrk calls mixed in) replayed on the
 * real glibc 2.36 of this machine and on ours, compared line for line. Skipped without gcc or 2.36.
 * Set -Dmallocscope.diff.seed=N to reproduce a run; a failure names the seed of each failing trace.
 */
class DifferentialTest {
    static final int TRACES = Integer.getInteger("mallocscope.diff.traces", 400);

    @Test
    void randomTracesMatchRealGlibc() {
        Optional<NativeHarness> h = NativeHarness.forSystemGlibc236();
        Assumptions.assumeTrue(h.isPresent(), NativeHarness.skipReason());
        long base = Long.getLong("mallocscope.diff.seed", System.nanoTime());
        RandomTraces.Profile[] profiles = RandomTraces.Profile.values();
        List<String> failures = new ArrayList<>();
        for (int k = 0; k < TRACES; k++) {
            long seed = base + k;
            Random rnd = new Random(seed);
            RandomTraces.Profile p = profiles[k % profiles.length];
            String tunables = rnd.nextBoolean() ? RandomTraces.randomTunables(rnd) : null;
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
                        ProcessOptions.defaults().withStderr(new ByteArrayOutputStream()), out);
                got = out.toString();
            } catch (RuntimeException e) {
                got = out + "EXCEPTION " + e;
            }
            if (!got.equals(expected)) {
                failures.add("seed " + seed + " (" + p + ", tunables " + tunables + "): " + firstDifference(expected, got));
            }
        }
        assertThat(failures).as("traces differing from glibc 2.36 (base seed %d, -Dmallocscope.diff.seed=%d)", base, base)
                .isEmpty();
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
