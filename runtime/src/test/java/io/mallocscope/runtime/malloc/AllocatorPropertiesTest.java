package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.trace.Step;
import io.mallocscope.runtime.trace.Trace;
import io.mallocscope.runtime.trace.TraceRunner;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of the allocator on generated traces, for every glibc profile: jqwik makes the traces and,
 * when a property fails, shrinks the trace to a short one that still fails. The seed is fixed so that
 * every build checks the same traces (change it to look elsewhere). The golden traces stay the
 * reference; these check invariants on traces nobody wrote by hand.
 */
class AllocatorPropertiesTest {

    /** After every operation the heap is well-formed and mallinfo2 agrees with a walk of the heap. */
    @Property(tries = 40, seed = "1202", shrinking = ShrinkingMode.BOUNDED)
    void theHeapIsConsistentAfterEveryOperation(@ForAll("traces") String text, @ForAll("versions") String version) {
        Trace t = Trace.parse("generated", text);
        CProcess p = CProcess.create(ProcessOptions.defaults().withGlibc(version).withStderr(new ByteArrayOutputStream()));
        Malloc m = p.malloc();
        TraceRunner runner = TraceRunner.onMalloc(t, p);
        for (int i = 0; i < t.size(); i++) {
            Step s = runner.step(i);
            assertThat(s.signal()).as("%s on %s", s, version).isNull();
            assertThat(HeapChecker.check(m)).as("after %s on %s", s, version).isEmpty();
        }
        assertThat(HeapView.of(m).mallinfo2()).isEqualTo(m.mallinfo2());
    }

    /** A block handed out is aligned, usable for at least what was asked, and inside no other live block. */
    @Property(tries = 40, seed = "1202", shrinking = ShrinkingMode.BOUNDED)
    void blocksAreAlignedBigEnoughAndDisjoint(@ForAll("traces") String text, @ForAll("versions") String version) {
        Trace t = Trace.parse("generated", text);
        CProcess p = CProcess.create(ProcessOptions.defaults().withGlibc(version).withStderr(new ByteArrayOutputStream()));
        Malloc m = p.malloc();
        TraceRunner runner = TraceRunner.onMalloc(t, p);
        for (int i = 0; i < t.size(); i++) {
            Step s = runner.step(i);
            long b = s.allocated();
            if (b == 0) {
                continue;
            }
            long asked = s.args()[s.args().length - 1];
            assertThat(b % 16).as("%s on %s", s, version).isZero();
            assertThat(m.mallocUsableSize(b)).as("%s on %s", s, version).isGreaterThanOrEqualTo(asked);
            for (int id = 0; id <= t.maxId(); id++) {
                long other = runner.block(id);
                if (other != 0 && other != b) {
                    boolean apart = b + asked <= other || other + m.mallocUsableSize(other) <= b;
                    assertThat(apart).as("%s overlaps block #%d at 0x%x on %s", s, id, other, version).isTrue();
                }
            }
        }
    }

    @Provide
    Arbitrary<String> versions() {
        return Arbitraries.of(GlibcProfile.ALL.stream().map(GlibcProfile::version).toList());
    }

    /** Traces of 1–120 ops on 16 IDs: mallocs of every size class, frees, reallocs, callocs, memaligns, trims. */
    @Provide
    Arbitrary<String> traces() {
        Arbitrary<Integer> id = Arbitraries.integers().between(0, 15);
        Arbitrary<Long> size = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 0x80),        // tcache and fastbin sizes
                Arbitraries.longs().between(0x81, 0x420),    // small bins
                Arbitraries.longs().between(0x421, 0x4000),  // large bins
                Arbitraries.longs().between(0x20000, 0x40000)); // mmap threshold and above
        Arbitrary<String> op = Arbitraries.oneOf(
                Combinators.combine(id, size).as((i, n) -> "a " + i + " " + n),
                Combinators.combine(id, size).as((i, n) -> "a " + i + " " + n),
                id.map(i -> "f " + i),
                id.map(i -> "f " + i),
                Combinators.combine(id, size).as((i, n) -> "r " + i + " " + n),
                Combinators.combine(id, size).as((i, n) -> "c " + i + " " + n),
                Combinators.combine(id, Arbitraries.of(32L, 64L, 256L, 4096L), size)
                        .as((i, a, n) -> "m " + i + " " + a + " " + n),
                Arbitraries.of("t 0", "t 4096"));
        return op.list().ofMinSize(1).ofMaxSize(120).map(AllocatorPropertiesTest::lines);
    }

    static String lines(List<String> ops) {
        return String.join("\n", ops) + "\n";
    }
}
