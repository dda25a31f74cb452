package io.mallocscope.runtime.memcheck;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The memcheck mode on the four classic mistakes and the other errors it reports. */
class MemcheckTest {
    static final String NL = System.lineSeparator();

    static CProcess.Captured run(CProgram program) {
        return CProcess.runCaptured(ProcessOptions.defaults().withMemcheck(true), program);
    }

    static int line() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow().getLineNumber());
    }

    static final class Leak implements CProgram {
        static int at;

        @Override
        public int main(LibC c, String[] argv) {
            c.setbufNone(LibC.STDOUT);
            long p = c.malloc(16); at = line();
            c.putLong(p, 1);
            return 0;
        }
    }

    @Test
    void aLeakIsDefinitelyLostAtItsAllocation() {
        CProcess.Captured r = run(new Leak());
        assertThat(r.stderr()).isEqualTo(""
                + "==1== " + NL
                + "==1== HEAP SUMMARY:" + NL
                + "==1==     in use at exit: 16 bytes in 1 blocks" + NL
                + "==1==   total heap usage: 1 allocs, 0 frees, 16 bytes allocated" + NL
                + "==1== " + NL
                + "==1== 16 bytes in 1 blocks are definitely lost in loss record 1 of 1" + NL
                + "==1==    at io.mallocscope.runtime.memcheck.MemcheckTest$Leak.main(MemcheckTest.java:" + Leak.at + ")" + NL
                + "==1== " + NL
                + "==1== LEAK SUMMARY:" + NL
                + "==1==    definitely lost: 16 bytes in 1 blocks" + NL
                + "==1==    indirectly lost: 0 bytes in 0 blocks" + NL
                + "==1==      possibly lost: 0 bytes in 0 blocks" + NL
                + "==1==    still reachable: 0 bytes in 0 blocks" + NL
                + "==1==         suppressed: 0 bytes in 0 blocks" + NL
                + "==1== " + NL
                + "==1== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)" + NL);
        assertThat(r.process().memcheck().errorCount()).isEqualTo(1);
    }

    /** A page memcheck has no shadow of (the program's own mapping, a C program's stack): written in part, all of it stays valid. */
    static final class WritesOutsideTheHeap implements CProgram {
        @Override
        public int main(LibC c, String[] argv) {
            long page = c.mmap(0, 4096, 3, 0x22, -1, 0); // PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS
            c.memset(page, 1, 8);
            c.memcpy(page + 64, page, 8);
            c.putLong(page + 128, c.getLong(page + 64));
            return 0;
        }
    }

    @Test
    void aFirstWriteToAPageWithoutAShadowLeavesTheRestOfItValid() {
        CProcess.Captured r = run(new WritesOutsideTheHeap());
        assertThat(r.stderr()).doesNotContain("Invalid");
        assertThat(r.process().memcheck().errorCount()).isZero();
    }

    static final class DoubleFree implements CProgram {
        static int alloc;
        static int first;
        static int second;

        @Override
        public int main(LibC c, String[] argv) {
            long p = c.malloc(16); alloc = line();
            c.free(p); first = line();
            second = line() + 1;
            c.free(p);
            return 0;
        }
    }

    @Test
    void aDoubleFreeIsReportedBeforeGlibcAbortsAsItWouldWithoutMemcheck() {
        CProcess.Captured r = run(new DoubleFree());
        String me = "io.mallocscope.runtime.memcheck.MemcheckTest$DoubleFree.main(MemcheckTest.java:";
        assertThat(r.stderr()).startsWith(""
                + "==1== Invalid free() / delete / delete[] / realloc()" + NL
                + "==1==    at free" + NL
                + "==1==    by " + me + DoubleFree.second + ")" + NL
                + "==1==  Address 0x5555555592a0 is 0 bytes inside a block of size 16 free'd" + NL
                + "==1==    at " + me + DoubleFree.first + ")" + NL
                + "==1==  Block was alloc'd at" + NL
                + "==1==    at " + me + DoubleFree.alloc + ")" + NL
                + "==1== " + NL
                + "free(): double free detected in tcache 2" + NL
                + "==1== " + NL
                + "==1== Process terminating with default action of signal 6 (SIGABRT)" + NL);
        assertThat(r.stderr()).endsWith("==1== All heap blocks were freed -- no leaks are possible" + NL
                + "==1== " + NL
                + "==1== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)" + NL
                + "Aborted" + NL);
        assertThat(r.status().code()).isEqualTo(134);
    }

    static final class WriteAfterFree implements CProgram {
        static int alloc;
        static int free;
        static int write;

        @Override
        public int main(LibC c, String[] argv) {
            long p = c.malloc(16); alloc = line();
            c.free(p); free = line();
            write = line() + 1;
            c.strcpy(p, "hello");
            return 0;
        }
    }

    @Test
    void aWriteAfterFreeIsAnInvalidWriteIntoAFreedBlock() {
        CProcess.Captured r = run(new WriteAfterFree());
        String me = "io.mallocscope.runtime.memcheck.MemcheckTest$WriteAfterFree.main(MemcheckTest.java:";
        assertThat(r.stderr()).startsWith(""
                + "==1== Invalid write of size 1" + NL
                + "==1==    at strcpy" + NL
                + "==1==    by " + me + WriteAfterFree.write + ")" + NL
                + "==1==  Address 0x5555555592a0 is 0 bytes inside a block of size 16 free'd" + NL
                + "==1==    at " + me + WriteAfterFree.free + ")" + NL
                + "==1==  Block was alloc'd at" + NL
                + "==1==    at " + me + WriteAfterFree.alloc + ")" + NL);
    }

    static final class OffByOne implements CProgram {
        static int alloc;
        static int copy;

        @Override
        public int main(LibC c, String[] argv) {
            long s = c.strdup("twenty-four characters!!");
            long copy = c.malloc(c.strlen(s)); alloc = line();
            OffByOne.copy = line() + 1;
            c.strcpy(copy, s);
            c.free(copy);
            c.free(s);
            return 0;
        }
    }

    @Test
    void anOffByOneMallocOfStrlenIsAnInvalidWriteJustAfterTheBlock() {
        CProcess.Captured r = run(new OffByOne());
        String me = "io.mallocscope.runtime.memcheck.MemcheckTest$OffByOne.main(MemcheckTest.java:";
        assertThat(r.stderr()).startsWith(""
                + "==1== Invalid write of size 1" + NL
                + "==1==    at strcpy" + NL
                + "==1==    by " + me + OffByOne.copy + ")" + NL
                + "==1==  Address 0x5555555592e8 is 0 bytes after a block of size 24 alloc'd" + NL
                + "==1==    at " + me + OffByOne.alloc + ")" + NL
                + "==1== " + NL);
    }

    @Test
    void theHeapIsTheSameWithAndWithoutMemcheck() {
        for (CProgram p : new CProgram[] {new Leak(), new DoubleFree(), new WriteAfterFree(), new OffByOne()}) {
            CProcess.Captured with = run(p);
            CProcess.Captured without = CProcess.runCaptured(ProcessOptions.defaults(), p);
            long start = with.process().kernel().startBrk();
            long end = with.process().kernel().currentBrk();
            assertThat(without.process().kernel().currentBrk()).isEqualTo(end);
            byte[] a = new byte[(int) (end - start)];
            byte[] b = new byte[(int) (end - start)];
            with.process().memory().readBytes(start, a, 0, a.length);
            without.process().memory().readBytes(start, b, 0, b.length);
            assertThat(a).as(p.getClass().getSimpleName()).isEqualTo(b);
            assertThat(with.stdout()).isEqualTo(without.stdout());
        }
    }

    static String errorsOf(CProgram p) {
        CProcess.Captured r = run(p);
        return String.join("\n----\n", r.process().memcheck().errors());
    }

    @Test
    void printingAnUninitialisedStringDependsOnUninitialisedValues() {
        String me = "io.mallocscope.runtime.memcheck.MemcheckTest.lambda$";
        String e = errorsOf((c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            long p = c.malloc(8);
            c.printf("%s\n", p);
            c.free(p);
            return 0;
        });
        assertThat(e).startsWith("Conditional jump or move depends on uninitialised value(s)" + NL + "   at printf" + NL
                + "   by " + me).contains(" Address 0x5555555592a0 is 0 bytes inside a block of size 8 alloc'd");
        // calloc's bytes are defined, and so are bytes written
        assertThat(errorsOf((c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            long p = c.calloc(1, 8);
            long q = c.malloc(8);
            c.strcpy(q, "ok");
            c.printf("%s%s\n", p, q);
            c.free(p);
            c.free(q);
            return 0;
        })).isEmpty();
    }

    @Test
    void anOverlappingMemcpyIsReported() {
        String e = errorsOf((c, argv) -> {
            long p = c.calloc(1, 32);
            c.memcpy(p + 4, p, 16);
            c.memmove(p + 4, p, 16); // memmove allows it
            c.free(p);
            return 0;
        });
        assertThat(e).startsWith("Source and destination overlap in memcpy(0x5555555592a4, 0x5555555592a0, 16)" + NL
                + "   at memcpy" + NL).doesNotContain("memmove");
    }

    @Test
    void aReadBeforeABlockAndOneIntoAFreedMmappedChunk() {
        String e = errorsOf((c, argv) -> {
            long p = c.malloc(16);
            c.getLong(p - 8); // the chunk's size field
            long big = c.malloc(200_000); // mmapped
            c.free(big);
            try {
                c.getByte(big);
            } catch (RuntimeException segv) {
                // unmapped now: the process would die here; memcheck has spoken first
            }
            c.free(p);
            return 0;
        });
        assertThat(e).contains("Invalid read of size 8" + NL).contains(" Address 0x555555559298 is 8 bytes before a block of size 16 alloc'd")
                .contains("Invalid read of size 1" + NL).contains(" Address 0x7ffff7d9f010 is 0 bytes inside a block of size 200000 free'd");
    }

    @Test
    void freeingAPointerMallocNeverReturned() {
        String e = errorsOf((c, argv) -> {
            long local = c.local(32);
            c.free(local + 16);
            return 0;
        });
        assertThat(e).startsWith("Invalid free() / delete / delete[] / realloc()" + NL + "   at free" + NL)
                .contains(" is on thread 1's stack");
        String g = errorsOf((c, argv) -> {
            c.free(c.global("table", 64));
            return 0;
        });
        assertThat(g).contains(" Address 0x555555558800 is not stack'd, malloc'd or (recently) free'd");
    }

    @Test
    void leaksAreGroupedByStackWithIndirectlyLostAndStillReachable() {
        CProcess.Captured r = run((c, argv) -> {
            long list = c.malloc(16);
            for (int i = 0; i < 3; i++) {
                long node = c.malloc(16);
                c.putLong(node, c.getLong(list));
                c.putLong(list, node);
            }
            long kept = c.malloc(40);
            c.putLong(c.global("keep", 8), kept); // a global points to it: still reachable
            return 0;
        });
        // as Valgrind prints it (chain.c of the same shape): the indirectly lost and the reachable records
        // are counted, sorted by size, and not shown
        assertThat(r.stderr()).contains("64 (16 direct, 48 indirect) bytes in 1 blocks are definitely lost in loss record 3 of 3")
                .doesNotContain("are indirectly lost in loss record").doesNotContain("are still reachable in loss record")
                .contains("==1==    definitely lost: 16 bytes in 1 blocks" + NL
                        + "==1==    indirectly lost: 48 bytes in 3 blocks" + NL
                        + "==1==      possibly lost: 0 bytes in 0 blocks" + NL
                        + "==1==    still reachable: 40 bytes in 1 blocks" + NL)
                .contains("==1==     in use at exit: 104 bytes in 5 blocks");
    }

    @Test
    void aForkedChildIsCheckedToItsOwnEndWithWhatItInheritedAsValgrindFollowsAFork() {
        CProcess.Captured r = run((c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            long before = c.malloc(32); // the child's copy of it is the child's to free
            int pid = c.fork(child -> {
                child.putByte(child.malloc(16) + 16, 1); // one past its block
                child.free(before);
                return 0;
            });
            c.waitpid(pid, 0, 0);
            c.free(before);
            return 0;
        });
        String err = r.stderr();
        // the child's report (its pid in the prefix) ends before the parent's: its write, its leak, its summary
        assertThat(err).contains("==3== Invalid write of size 1" + NL)
                .contains("==3==   total heap usage: 2 allocs, 1 frees, 48 bytes allocated" + NL)
                .contains("==3== 16 bytes in 1 blocks are definitely lost in loss record 1 of 1" + NL)
                .contains("==3== ERROR SUMMARY: 2 errors from 2 contexts (suppressed: 0 from 0)" + NL);
        assertThat(err.indexOf("==3== ERROR SUMMARY")).isLessThan(err.indexOf("==1== HEAP SUMMARY"));
        assertThat(err).contains("==1==   total heap usage: 1 allocs, 1 frees, 32 bytes allocated" + NL)
                .contains("==1== All heap blocks were freed -- no leaks are possible" + NL)
                .contains("==1== ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)" + NL);
    }

    /**
     * What an interpreter (the C front end) tells memcheck of the values its program computes: a store's
     * definedness, a copy's, a frame entered and left, and a branch or an address that depends on an
     * undefined value, each a context of its own, repeats counted.
     */
    @Test
    void anInterpretedProgramsValuesKeepTheirDefinednessThroughStoresCopiesAndFrames() {
        Object[] jumps = {new Object(), new Object()};
        CProcess.Captured r = run((c, argv) -> {
            Memcheck mc = c.process().memcheck();
            long p = c.malloc(16);
            assertThat(mc.undefined(p, 4)).isTrue();
            mc.stored(p, 4, true); // a defined value stored straight into memory
            assertThat(mc.undefined(p, 4)).isFalse();
            assertThat(mc.undefined(p, 5)).isTrue();
            mc.stored(p, 4, false); // an undefined one: the bytes take its definedness
            assertThat(mc.undefined(p, 1)).isTrue();
            c.memset(p + 8, 0, 8);
            c.memcpy(p + 4, p, 4);
            mc.copiedDefinedness(p + 8, p, 4); // LibC's copy made them defined; the source's were not
            assertThat(mc.undefined(p + 8, 4)).isTrue();
            assertThat(mc.undefined(p + 12, 4)).isFalse();
            mc.stored(p + 16, 8, false); // past the block: stays unaddressable
            c.getLong(p + 16); // so the read is invalid
            long page = c.mmap(0, 4096, 3, 0x22, -1, 0); // like a stack page: no shadow until a frame
            mc.frameEntered(page + 64, page + 128);
            assertThat(mc.undefined(page + 64, 64)).isTrue();
            assertThat(mc.undefined(page, 64)).isFalse();
            c.getLong(page); // the rest of the page stays valid
            mc.frameLeft(page + 64, page + 128);
            assertThat(mc.undefined(page + 64, 64)).isFalse();
            for (int i = 0; i < 3; i++) {
                mc.branchedOnUndefined(jumps[0]);
            }
            mc.branchedOnUndefined(jumps[1]); // another jump at the same place: another context
            mc.addressUndefined(jumps[0]);
            c.free(p);
            return 0;
        });
        Memcheck mc = r.process().memcheck();
        assertThat(mc.errors()).hasSize(4);
        assertThat(mc.errors().get(0)).startsWith("Invalid read of size 8");
        assertThat(mc.errors().get(1)).startsWith(Memcheck.CONDITIONAL + NL + "   at io.mallocscope.runtime.memcheck.MemcheckTest");
        assertThat(mc.errors().get(2)).startsWith(Memcheck.CONDITIONAL + NL);
        assertThat(mc.errors().get(3)).startsWith(Memcheck.USE_OF_SIZE_8 + NL);
        assertThat(mc.errorCount()).isEqualTo(6);
        assertThat(r.stderr()).contains("==1== Use --track-origins=yes to see where uninitialised values come from" + NL
                + "==1== ERROR SUMMARY: 6 errors from 4 contexts (suppressed: 0 from 0)" + NL);
    }

    @Test
    void aLibraryFunctionsFramesLeadItsReportOfAnUndefinedArgument() {
        String e = errorsOf((c, argv) -> {
            c.process().memcheck().undefinedInLibrary(Memcheck.CONDITIONAL, java.util.List.of("malloc"));
            return 0;
        });
        assertThat(e).startsWith(Memcheck.CONDITIONAL + NL + "   at malloc" + NL + "   by io.mallocscope.runtime.memcheck.MemcheckTest");
    }
}
