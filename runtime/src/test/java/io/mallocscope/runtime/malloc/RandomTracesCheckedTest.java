package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.glibc.RandomTraces;
import io.mallocscope.runtime.trace.Trace;
import io.mallocscope.runtime.trace.TraceRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random traces (no gcc needed) under several configurations and every glibc profile, with the heap checker and a
 * HeapView/mallinfo2 cross-check after every single operation.
 */
class RandomTracesCheckedTest {
    static Stream<Arguments> configs() {
        List<Arguments> a = new ArrayList<>();
        String[] tunables = {"", "glibc.malloc.tcache_count=0", "glibc.malloc.mxfast=0",
                "glibc.malloc.mmap_threshold=4096", "glibc.malloc.tcache_count=2:glibc.malloc.tcache_max=200",
                "glibc.malloc.top_pad=0:glibc.malloc.trim_threshold=0"};
        long seed = 42;
        for (String t : tunables) {
            for (RandomTraces.Profile p : RandomTraces.Profile.values()) {
                a.add(Arguments.of("2.36", p, t, seed++));
            }
        }
        // every other profile: each random profile once, the tunables rotating (2.43 also with large tcache bins)
        String[] others = {"2.23", "2.27", "2.31", "2.41", "2.43"};
        int k = 0;
        for (String version : others) {
            for (RandomTraces.Profile p : RandomTraces.Profile.values()) {
                String t = version.equals("2.43") && k % 2 == 0 ? "glibc.malloc.tcache_max=300000"
                        : tunables[k % tunables.length];
                a.add(Arguments.of(version, p, t, seed++));
                k++;
            }
        }
        return a.stream();
    }

    @ParameterizedTest(name = "glibc {0} {1} [{2}] seed {3}")
    @MethodSource("configs")
    void invariantsHoldAfterEveryOperation(String version, RandomTraces.Profile profile, String tunables, long seed) {
        Trace t = Trace.parse("seed-" + seed, RandomTraces.generate(new Random(seed), profile, 400, null));
        CProcess p = CProcess.create(ProcessOptions.defaults().withGlibc(version).withTunables(tunables)
                .withStderr(new ByteArrayOutputStream()));
        Malloc m = p.malloc();
        TraceRunner runner = TraceRunner.onMalloc(t, p);
        for (int i = 0; i < t.size(); i++) {
            runner.call(i);
            List<String> v = HeapChecker.check(m);
            assertThat(v).as("after op %d of seed %d", i, seed).isEmpty();
            if (i % 50 == 0) {
                assertThat(HeapView.of(m).mallinfo2()).isEqualTo(m.mallinfo2());
            }
        }
    }
}
