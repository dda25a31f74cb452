package io.mallocscope.runtime.glibc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Checks the C harness against real glibc 2.36 (skipped where that is not the system glibc). */
class NativeHarnessTest {

    private static final Path TRACES = Path.of("src/test/resources/traces");
    private static final Path GOLDEN = Path.of("src/test/resources/golden/2.36");

    private static NativeHarness harness() {
        var h = NativeHarness.forSystemGlibc236();
        Assumptions.assumeTrue(h.isPresent(), NativeHarness.skipReason());
        return h.get();
    }

    @Test
    void replaysTheReferenceExampleExactly() {
        String trace = String.join("\n", "a 0 24", "a 1 24", "f 0", "a 2 24", "a 3 200000", "f 3", "a 4 200000",
                "r 1 5000", "f 2") + "\n";
        String out = harness().runText(trace, null);
        assertThat(out.split("\n")).containsExactly(
                "a 0 H+0x2a0 0x21",
                "a 1 H+0x2c0 0x21",
                "a 2 H+0x2a0 0x21",
                "a 3 M+0x10 0x31002",
                "a 4 H+0x2e0 0x30d51",
                "r 1 H+0x31030 0x1391",
                "brk H+0x52000",
                "mallinfo arena=335872 ordblks=1 smblks=0 hblks=0 hblkhd=0 fsmblks=0 uordblks=205744"
                        + " fordblks=130128 keepcost=130128");
    }

    @Test
    void tunablesReachGlibc() {
        // tcache_count=0: the freed 0x20 chunk goes to the fastbin, and is still reused LIFO;
        // mmap_threshold=1 MiB: 200000 bytes come from the heap.
        String out = harness().runText("a 0 24\nf 0\na 1 200000\n",
                "glibc.malloc.tcache_count=0:glibc.malloc.mmap_threshold=1048576");
        assertThat(out).startsWith("a 0 H+0x2a0 0x21\na 1 H+0x2a0 0x30d51\n").contains("smblks=0");
    }

    @Test
    void malformedTraceFailsWithFileAndLine() {
        NativeHarness h = harness();
        assertThatThrownBy(() -> h.runText("a 0 24\nq 1\n", null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("status 2")
                .hasMessageContaining(":2: unknown op");
    }

    @Test
    void tunablesCommentIsParsed() {
        assertThat(NativeHarness.tunablesOfText("# x\n# tunables: glibc.malloc.tcache_count=0\na 0 1\n"))
                .contains("glibc.malloc.tcache_count=0");
        assertThat(NativeHarness.tunablesOfText("a 0 1\n")).isEmpty();
    }

    /** The recorded golden files must be what the harness prints now (run scripts/record-golden.sh). */
    @TestFactory
    Stream<DynamicTest> goldenFilesAreUpToDate() throws IOException {
        NativeHarness h = harness();
        List<Path> traces = new ArrayList<>();
        try (Stream<Path> s = Files.list(TRACES)) {
            s.filter(p -> p.toString().endsWith(".rep")).sorted().forEach(traces::add);
        }
        assertThat(traces).isNotEmpty();
        return traces.stream().map(trace -> DynamicTest.dynamicTest(trace.getFileName().toString(), () -> {
            String name = trace.getFileName().toString().replaceFirst("\\.rep$", "");
            Path golden = GOLDEN.resolve(name + ".out");
            assertThat(golden).as("golden file for %s (run scripts/record-golden.sh)", name).exists();
            assertThat(h.run(trace)).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
        }));
    }

    @Test
    void randomTracesAreDeterministicAndReplayable() {
        NativeHarness h = harness();
        for (RandomTraces.Profile profile : RandomTraces.Profile.values()) {
            long seed = 1000 + profile.ordinal();
            String a = RandomTraces.generate(seed, profile, 1500);
            assertThat(RandomTraces.generate(seed, profile, 1500)).isEqualTo(a);
            String tunables = RandomTraces.randomTunables(new Random(seed));
            String out1 = h.runText(a, tunables);
            String out2 = h.runText(a, tunables);
            assertThat(out1).as("profile %s with %s", profile, tunables).isEqualTo(out2).contains("\nmallinfo ");
        }
    }
}
