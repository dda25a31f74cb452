package io.mallocscope.junit;

import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProgramExit;
import io.mallocscope.runtime.malloc.BinKind;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.opentest4j.AssertionFailedError;

import java.util.HashMap;
import java.util.Map;

import static io.mallocscope.junit.HeapAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * The four classic mistakes of issue #17 (and a NULL dereference) made in graded tests: what the
 * student is told. The graded tests are the nested {@link Student} class, run through the launcher.
 */
class StudentMistakesTest {
    private static final String NL = System.lineSeparator();
    private static final String ME = "io.mallocscope.junit.StudentMistakesTest$Student";
    /** The line numbers the student's tests record, by label. */
    static final Map<String, Integer> LINES = new HashMap<>();

    static int here() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow().getLineNumber());
    }

    private static Throwable failureOf(String method) {
        LauncherDiscoveryRequest req = request().selectors(selectMethod(Student.class, method, LibC.class.getName()))
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(req, listener);
        TestExecutionSummary summary = listener.getSummary();
        assertThat(summary.getTestsFoundCount()).isEqualTo(1);
        assertThat(summary.getFailures()).hasSize(1);
        return summary.getFailures().get(0).getException();
    }

    @Test
    void aDoubleFreeNamesTheLineItHappenedOnTheFirstFreeAndTheAllocation() {
        Throwable t = failureOf("doubleFree");
        assertThat(t).isInstanceOf(AssertionFailedError.class).hasMessage(
                "free(): double free detected in tcache 2" + NL
                        + "   at " + ME + ".release(StudentMistakesTest.java:" + LINES.get("second free") + ")" + NL
                        + "   by " + ME + ".doubleFree(StudentMistakesTest.java:" + LINES.get("release") + ")" + NL
                        + " Address 0x5555555592a0 (heap+0x2a0) is 0 bytes inside a block of size 16 free'd" + NL
                        + "   at " + ME + ".doubleFree(StudentMistakesTest.java:" + LINES.get("first free") + ")" + NL
                        + " Block was alloc'd at" + NL
                        + "   at " + ME + ".doubleFree(StudentMistakesTest.java:" + LINES.get("malloc") + ")" + NL
                        + "(SIGABRT: the program was killed, status 134)");
        // the stack trace is the student's frames only, so an IDE jumps to the line
        assertThat(t.getStackTrace()).hasSize(2);
        assertThat(t.getStackTrace()[0].getMethodName()).isEqualTo("release");
        assertThat(t.getStackTrace()[0].getLineNumber()).isEqualTo(LINES.get("second free"));
    }

    @Test
    void aNullDereferenceNamesItsLine() {
        Throwable t = failureOf("nullDereference");
        assertThat(t).hasMessage("SIGSEGV: invalid read of 8 bytes at 0x8 (address not mapped (null pointer dereference?))" + NL
                + "   at " + ME + ".nullDereference(StudentMistakesTest.java:" + LINES.get("deref") + ")" + NL
                + "(SIGSEGV: the program was killed, status 139)");
    }

    @Test
    void aWriteAfterFreeIsACorruptFreeListNotALeak() {
        Throwable t = failureOf("writeAfterFree");
        // the link shown is "hello" read as a safe-linked pointer: the bytes XOR (address >> 12)
        assertThat(t).hasMessage("the test leaked memory:" + NL
                + "the free list of tcache[0x20] is corrupt: 0x5555555592c0 (heap+0x2c0) was written after free: its"
                + " link now points to 0x" + Long.toHexString(0x6f6c6c6568L ^ (0x5555555592c0L >> 12))
                + "; it was freed at " + ME + ".writeAfterFree(StudentMistakesTest.java:"
                + LINES.get("free b") + ") and allocated at " + ME + ".writeAfterFree(StudentMistakesTest.java:"
                + LINES.get("malloc b") + ")" + NL);
        assertThat(t.getMessage()).doesNotContain("???").doesNotContain("definitely lost");
    }

    @Test
    void aMethodAnnotationKeepsTheClassesFailOnLeaks() {
        Throwable t = failureOf("leaksUnderAnotherGlibc");
        assertThat(t).hasMessageStartingWith("the test leaked memory:" + NL
                + "32 bytes in 1 blocks are definitely lost in loss record 1 of 1" + NL
                + "   at 0x555555559260: malloc (heap+0x260, chunk 0x30)"); // 2.27's first block: +0x260, not 2.36's +0x2a0
    }

    @Test
    void leaksFromOneLineAreOneRecordAndALostListsNodesAreIndirectlyLost() {
        Throwable t = failureOf("leaksALongList");
        assertThat(t).hasMessage("the test leaked memory:" + NL
                + "16 bytes in 1 blocks are definitely lost in loss record 1 of 2" + NL
                + "   at 0x5555555592a0: malloc (heap+0x2a0, chunk 0x20)" + NL
                + "   by " + ME + ".leaksALongList(StudentMistakesTest.java:" + LINES.get("header") + ")" + NL
                + "4800 bytes in 300 blocks are indirectly lost in loss record 2 of 2" + NL
                + "   at 0x5555555592c0: malloc (heap+0x2c0, chunk 0x20) (first of 300)" + NL
                + "   by " + ME + ".node(StudentMistakesTest.java:" + LINES.get("node") + ")" + NL
                + "   by " + ME + ".leaksALongList(StudentMistakesTest.java:" + LINES.get("push") + ")" + NL
                + "LEAK SUMMARY: definitely lost: 16 bytes in 1 blocks, indirectly lost: 4800 bytes in 300 blocks" + NL);
    }

    @Test
    @SimulatedProcess(glibc = "2.27")
    void aTcacheLoopIsShownAsALoop(LibC c, Heap heap) {
        long a = c.malloc(24);
        c.free(a);
        c.free(a); // 2.27 has no double-free key: the bin now loops on a
        assertThatThrownBy(() -> assertThat(heap).bin(BinKind.TCACHE, 0x20).containsExactly(a))
                .hasMessage("expected the tcache bin for 0x20 to hold [heap+0x260] but it holds [heap+0x260, back to"
                        + " heap+0x260, a loop] (the free list of tcache[0x20] is corrupt: it loops, heap+0x260 links back"
                        + " to heap+0x260 (a block freed twice?))");
        assertThatThrownBy(() -> assertThat(heap).isNotCorrupt()).hasMessage("the heap is corrupt:" + NL
                + "the free list of tcache[0x20] is corrupt: it loops, heap+0x260 links back to heap+0x260 (a block freed"
                + " twice?)");
        assertThat(heap).bin(BinKind.TCACHE, 0x20).hasCount(2);
    }

    @Test
    @SimulatedProcess
    void sizesInFailuresAreHex(LibC c, Heap heap) {
        long p = c.malloc(24);
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> assertThat(heap).chunkAt(p).hasSize(0x30));
        assertThat(e.getExpected().getStringRepresentation()).isEqualTo("0x30");
        assertThat(e.getActual().getStringRepresentation()).isEqualTo("0x20");
    }

    @Test
    @SimulatedProcess
    void exitCanBeAsserted(LibC c) {
        assertThat(assertThrows(ProgramExit.class, () -> c.exit(3)).status()).isEqualTo(3);
    }

    private static Throwable memcheckFailureOf(String method) {
        LauncherDiscoveryRequest req = request().selectors(selectMethod(UnderMemcheck.class, method, LibC.class.getName()))
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(req, listener);
        assertThat(listener.getSummary().getFailures()).hasSize(1);
        return listener.getSummary().getFailures().get(0).getException();
    }

    @Test
    void underMemcheckAnOffByOneThatGlibcNeverNoticesFailsAtTheFaultyLine() {
        Throwable t = memcheckFailureOf("offByOne");
        String me = "io.mallocscope.junit.StudentMistakesTest$UnderMemcheck.offByOne(StudentMistakesTest.java:";
        assertThat(t).hasMessage("memcheck found 1 error:" + NL
                + "Invalid write of size 1" + NL
                + "   at strcpy" + NL
                + "   by " + me + LINES.get("strcpy") + ")" + NL
                + " Address 0x5555555592cc is 0 bytes after a block of size 12 alloc'd" + NL
                + "   at " + me + LINES.get("malloc strlen") + ")");
    }

    @Test
    void underMemcheckADoubleFreeIsReportedThenGlibcsAbort() {
        Throwable t = memcheckFailureOf("doubleFree");
        String me = "io.mallocscope.junit.StudentMistakesTest$UnderMemcheck.doubleFree(StudentMistakesTest.java:";
        assertThat(t.getMessage()).startsWith("memcheck found 1 error:" + NL
                + "Invalid free() / delete / delete[] / realloc()" + NL
                + "   at free" + NL
                + "   by " + me + LINES.get("mc second free") + ")" + NL
                + " Address 0x5555555592a0 is 0 bytes inside a block of size 16 free'd" + NL
                + "   at " + me + LINES.get("mc first free") + ")" + NL
                + " Block was alloc'd at" + NL
                + "   at " + me + LINES.get("mc malloc") + ")" + NL
                + NL + "and then:" + NL
                + "free(): double free detected in tcache 2" + NL);
    }

    /** The graded tests of a course that turned memcheck on. */
    @SimulatedProcess(memcheck = true)
    static class UnderMemcheck {
        @Test
        void offByOne(LibC c) {
            long s = c.strdup("hello world!"); // 12 characters
            long copy = c.malloc(c.strlen(s)); LINES.put("malloc strlen", here());
            LINES.put("strcpy", here()); c.strcpy(copy, s); // the NUL lands in the chunk's padding: glibc never sees it
            c.free(copy);
            c.free(s);
        }

        @Test
        void doubleFree(LibC c) {
            long p = c.malloc(16); LINES.put("mc malloc", here());
            c.free(p); LINES.put("mc first free", here());
            LINES.put("mc second free", here()); c.free(p);
        }
    }

    /** The graded tests a student's mistakes make fail. */
    @SimulatedProcess(failOnLeaks = true)
    static class Student {
        @Test
        void doubleFree(LibC c) {
            long p = c.malloc(16); LINES.put("malloc", here());
            c.free(p); LINES.put("first free", here());
            LINES.put("release", here()); release(c, p);
        }

        private static void release(LibC c, long p) {
            LINES.put("second free", here() + 1);
            c.free(p);
        }

        @Test
        void nullDereference(LibC c) {
            long list = c.calloc(1, 16);
            long next = c.getLong(list); // NULL
            LINES.put("deref", here()); c.getLong(next + 8);
        }

        @Test
        void writeAfterFree(LibC c) {
            long a = c.malloc(16);
            long b = c.malloc(16); LINES.put("malloc b", here());
            c.free(a);
            c.free(b); LINES.put("free b", here());
            c.strcpy(b, "hello"); // b is the head of tcache[0x20]: its link to a is overwritten
        }

        @Test
        @SimulatedProcess(glibc = "2.27")
        void leaksUnderAnotherGlibc(LibC c) {
            c.malloc(32);
        }

        @Test
        void leaksALongList(LibC c) {
            long header = c.malloc(16); LINES.put("header", here());
            for (int i = 0; i < 300; i++) {
                long n = node(c, i);
                c.putLong(n + 8, c.getLong(header));
                c.putLong(header, n); LINES.put("push", here() - 2);
            }
        }

        private static long node(LibC c, int value) {
            long n = c.malloc(16); LINES.put("node", here());
            c.putLong(n, value);
            return n;
        }
    }
}
