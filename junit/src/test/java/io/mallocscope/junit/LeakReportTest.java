package io.mallocscope.junit;

import io.mallocscope.runtime.AllocationListener;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.util.List;

import static io.mallocscope.junit.HeapAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Leak reports for blocks the program allocates by calling LibC itself: each names the stack that
 * allocated it. A statement {@code long p = c.malloc(n); int line = line();} keeps the malloc's line
 * number next to it, so the expected reports are exact without depending on this file's layout.
 */
@SimulatedProcess
class LeakReportTest {
    private static final String NL = System.lineSeparator();
    private static final String THIS = "io.mallocscope.junit.LeakReportTest.";

    /** The line of the statement that calls this. */
    private static int line() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow().getLineNumber());
    }

    private static String site(String method, int line) {
        return THIS + method + "(LeakReportTest.java:" + line + ")";
    }

    @Test
    void directMallocsAreReportedWithTheLineThatMadeThem(LibC c, Heap heap) {
        long a = c.malloc(8); int aLine = line();
        long freed = c.malloc(24);
        long b = c.calloc(4, 10); int bLine = line();
        c.free(freed);
        assertThat(heap.offset(a)).isEqualTo(0x2a0);
        assertThat(heap.offset(b)).isEqualTo(0x2e0);
        assertThatThrownBy(() -> assertThat(heap).hasNoLeaks())
                .isInstanceOf(AssertionFailedError.class)
                .hasMessage("expected no leaks, but:" + NL
                        + "8 bytes in 1 blocks are definitely lost in loss record 1 of 2" + NL
                        + "   at 0x5555555592a0: malloc (heap+0x2a0, chunk 0x20)" + NL
                        + "   by " + site("directMallocsAreReportedWithTheLineThatMadeThem", aLine) + NL
                        + "40 bytes in 1 blocks are definitely lost in loss record 2 of 2" + NL
                        + "   at 0x5555555592e0: calloc (heap+0x2e0, chunk 0x30)" + NL
                        + "   by " + site("directMallocsAreReportedWithTheLineThatMadeThem", bLine) + NL
                        + "LEAK SUMMARY: definitely lost: 48 bytes in 2 blocks" + NL);
        c.free(a);
        c.free(b);
        assertThat(heap).hasNoLeaks();
    }

    /** A list node, allocated two calls below the test: every program frame is in the report. */
    private static long newNode(LibC c, long value, int[] line) {
        long node = c.malloc(16); line[0] = line();
        c.putLong(node, value);
        return node;
    }

    private static long push(LibC c, long value, int[] lines) {
        int[] inner = new int[1];
        long node = newNode(c, value, inner); lines[1] = line();
        lines[0] = inner[0];
        return node;
    }

    @Test
    void theWholeStackOfTheProgramIsShownInnermostFirst(LibC c, Heap heap) {
        int[] lines = new int[3];
        long node = push(c, 42, lines); lines[2] = line();
        assertThat(heap.leakReport()).isEqualTo(
                "16 bytes in 1 blocks are definitely lost in loss record 1 of 1" + NL
                        + "   at 0x5555555592a0: malloc (heap+0x2a0, chunk 0x20)" + NL
                        + "   by " + site("newNode", lines[0]) + NL
                        + "   by " + site("push", lines[1]) + NL
                        + "   by " + site("theWholeStackOfTheProgramIsShownInnermostFirst", lines[2]) + NL
                        + "LEAK SUMMARY: definitely lost: 16 bytes in 1 blocks" + NL);
        assertThat(heap.leaks()).singleElement().satisfies(l -> {
            assertThat(l.pointer()).isEqualTo(node);
            assertThat(l.allocation().callSite()).isEqualTo(site("newNode", lines[0]));
        });
    }

    @Test
    void aProgramRunAsMainHasItsOwnFramesOnly(CProcess process, Heap heap) {
        int[] line = new int[1];
        process.run((c, argv) -> {
            c.strdup("leaked"); line[0] = line();
            return 0;
        });
        assertThat(heap.leaks()).singleElement().satisfies(l -> {
            assertThat(l.allocation().function()).isEqualTo("strdup");
            assertThat(l.allocation().requested()).isEqualTo(7);
            // the lambda, then (CProcess.run left out) the test method that ran it
            assertThat(l.allocation().stack()).hasSize(2);
            assertThat(l.allocation().stack().get(0)) // javac numbers the lambdas
                    .startsWith(THIS + "lambda$aProgramRunAsMainHasItsOwnFramesOnly$")
                    .endsWith("(LeakReportTest.java:" + line[0] + ")");
            assertThat(l.allocation().stack().get(1))
                    .startsWith(THIS + "aProgramRunAsMainHasItsOwnFramesOnly(LeakReportTest.java:");
        });
    }

    @Test
    void everyAllocatingFunctionIsRecordedWithItsRequest(LibC c, Heap heap) {
        long slot = c.global("slot", 8);
        long m = c.malloc(10);
        long z = c.calloc(2, 12);
        long r = c.realloc(0, 30);
        long ra = c.reallocarray(0, 5, 8);
        long ma = c.memalign(64, 50);
        long aa = c.aligned_alloc(64, 60);
        c.posix_memalign(slot, 64, 70);
        long v = c.valloc(80);
        long pv = c.pvalloc(90);
        long s1 = c.strdup("four");
        long s2 = c.strdup(s1);
        assertThat(heap.trackedAllocations()).extracting(Allocation::function, Allocation::requested).containsExactly(
                tuple("malloc", 10L),
                tuple("calloc", 24L),
                tuple("realloc", 30L),
                tuple("reallocarray", 40L),
                tuple("memalign", 50L),
                tuple("aligned_alloc", 60L),
                tuple("posix_memalign", 70L),
                tuple("valloc", 80L),
                tuple("pvalloc", 90L),
                tuple("strdup", 5L),
                tuple("strdup", 5L));
        assertThat(heap.trackedAllocations()).extracting(Allocation::pointer)
                .containsExactly(m, z, r, ra, ma, aa, c.getLong(slot), v, pv, s1, s2);
        assertThat(heap.trackedAllocations()).allSatisfy(a ->
                assertThat(a.callSite()).startsWith(THIS + "everyAllocatingFunctionIsRecordedWithItsRequest(LeakReportTest.java:"));
        for (long p : new long[] {m, z, r, ra, ma, aa, c.getLong(slot), v, pv, s1, s2}) {
            c.free(p);
        }
        assertThat(heap.trackedAllocations()).isEmpty();
        assertThat(heap).hasNoLeaks();
    }

    @Test
    void aReallocatedBlockIsReportedAtTheReallocWithItsNewSize(LibC c, Heap heap) {
        long p = c.malloc(24);
        long inPlace = c.realloc(p, 20); int inPlaceLine = line();
        assertThat(inPlace).isEqualTo(p);
        c.malloc(24); // a guard, so the next realloc must move
        long moved = c.realloc(inPlace, 0x100); int movedLine = line();
        assertThat(heap.offset(moved)).isEqualTo(0x2e0);
        List<Leak> leaks = heap.leaks();
        assertThat(leaks).extracting(Leak::pointer).containsExactly(p + 0x20, moved);
        assertThat(leaks.get(1).allocation().function()).isEqualTo("realloc");
        assertThat(leaks.get(1).bytes()).isEqualTo(0x100);
        assertThat(leaks.get(1).allocation().callSite())
                .isEqualTo(site("aReallocatedBlockIsReportedAtTheReallocWithItsNewSize", movedLine));
        assertThat(movedLine).isEqualTo(inPlaceLine + 3);
        assertThat(c.realloc(moved, 0)).isZero();
        assertThat(heap.trackedAllocations()).extracting(Allocation::function).containsExactly("malloc");
    }

    @Test
    void anMmappedLeakHasItsCallSiteToo(LibC c, Heap heap) {
        c.malloc(0x40000); int line = line();
        assertThat(heap.leakReport()).isEqualTo(
                "262144 bytes in 1 blocks are definitely lost in loss record 1 of 1" + NL
                        + "   at 0x7ffff7d8f010: malloc (mmapped chunk, chunk 0x41000)" + NL
                        + "   by " + site("anMmappedLeakHasItsCallSiteToo", line) + NL
                        + "LEAK SUMMARY: definitely lost: 262144 bytes in 1 blocks" + NL);
    }

    @Test
    @SimulatedProcess(unbufferedStdout = false)
    void stdoutsBufferIsStillAllocatedButNotALeak(LibC c, Heap heap) {
        c.printf("hello\n");
        long p = c.malloc(24); int line = line();
        assertThat(heap.stillAllocated()).extracting(l -> l.allocation().function())
                .containsExactly(AllocationListener.STDIO_BUFFER, "malloc");
        assertThat(heap.stillAllocated().get(0).bytes()).isEqualTo(4096);
        assertThat(heap.stillAllocated().get(0).allocation().callSite())
                .isEqualTo(site("stdoutsBufferIsStillAllocatedButNotALeak", line - 1));
        assertThat(heap.leakReport()).isEqualTo(
                "24 bytes in 1 blocks are definitely lost in loss record 1 of 1" + NL
                        + "   at 0x55555555a2b0: malloc (heap+0x12b0, chunk 0x20)" + NL
                        + "   by " + site("stdoutsBufferIsStillAllocatedButNotALeak", line) + NL
                        + "LEAK SUMMARY: definitely lost: 24 bytes in 1 blocks" + NL);
        c.free(p);
        assertThat(heap).hasNoLeaks().hasLeakedBlocks(0);
    }

    @Test
    void aProcessMadeElsewhereIsRecordedFromItsFirstHeapOn() {
        CProcess process = CProcess.create();
        LibC c = process.libc();
        long before = c.malloc(24);
        Heap heap = Heap.of(process);
        long after = c.malloc(24); int line = line();
        assertThat(heap.leakReport()).isEqualTo(
                "24 bytes in 1 blocks are definitely lost in loss record 1 of 2" + NL
                        + "   at 0x5555555592a0: ??? (heap+0x2a0, chunk 0x20)" + NL
                        + "   by (unknown: allocated before the process's Heap began recording)" + NL
                        + "24 bytes in 1 blocks are definitely lost in loss record 2 of 2" + NL
                        + "   at 0x5555555592c0: malloc (heap+0x2c0, chunk 0x20)" + NL
                        + "   by " + site("aProcessMadeElsewhereIsRecordedFromItsFirstHeapOn", line) + NL
                        + "LEAK SUMMARY: definitely lost: 48 bytes in 2 blocks" + NL);
        assertThat(heap.leaks()).extracting(Leak::pointer).containsExactly(before, after);
        assertThat(heap.leaks().get(0).bytes()).isEqualTo(24); // the usable size, when the request is unknown
    }
}
