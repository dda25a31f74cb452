package io.mallocscope.cli;

import io.mallocscope.cli.testing.RecordedProgram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mallocscope try-free SOURCE ADDR}: glibc 2.36's own free run on the rebuilt state of small programs
 * recorded in-process. The addresses and messages are glibc's (the allocator's exactness against the real
 * library is tested in the runtime: the golden traces and the native differential tests).
 */
class TryFreeCommandTest {
    @TempDir
    static Path dir;
    /** a = malloc(24), b = malloc(24), free(a). */
    static String doubleFree;
    /** x = malloc(0x500), y = malloc(0x500), g = malloc(24), free(x). */
    static String coalesce;
    /** eight malloc(24), the first seven freed (the tcache's 0x20 bin full), then malloc(200000). */
    static String fastAndMmapped;

    @BeforeAll
    static void record() throws IOException {
        doubleFree = dir.resolve("double-free.timeline").toString();
        try (RecordedProgram p = RecordedProgram.open(Path.of(doubleFree), "double-free")) {
            long a = p.malloc(24);
            p.malloc(24);
            p.free(a);
        }
        coalesce = dir.resolve("coalesce.timeline").toString();
        try (RecordedProgram p = RecordedProgram.open(Path.of(coalesce), "coalesce")) {
            long x = p.malloc(0x500);
            p.malloc(0x500);
            p.malloc(24);
            p.free(x);
        }
        fastAndMmapped = dir.resolve("fast.timeline").toString();
        try (RecordedProgram p = RecordedProgram.open(Path.of(fastAndMmapped), "fast")) {
            long[] m = new long[8];
            for (int i = 0; i < 8; i++) {
                m[i] = p.malloc(24);
            }
            for (int i = 0; i < 7; i++) {
                p.free(m[i]);
            }
            p.malloc(200000);
        }
    }

    @Test
    void aDoubleFreeIsGlibcsAbortAndSigabrt() throws IOException {
        byte[] file = Files.readAllBytes(Path.of(doubleFree));
        CliRun.Result r = run("try-free", doubleFree, "0x5555555592a0", "--color=never");
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).as("the command told what free would do").isZero();
        assertThat(r.out()).isEqualTo("""
                free(0x5555555592a0) at step 3 of the timeline of double-free, glibc 2.36: chunk 0x555555559290, \
                size field 0x21, in tcachebins[0x20]
                free(): double free detected in tcache 2
                the program would stop here: Aborted (SIGABRT, exit status 134)
                """);
        assertThat(Files.readAllBytes(Path.of(doubleFree))).as("the timeline is never changed").isEqualTo(file);
        assertThat(Files.list(dir).filter(f -> f.getFileName().toString().startsWith("double-free")).count())
                .as("no side file either").isEqualTo(1);
    }

    @Test
    void aGoodFreeSaysTheBinWithItsCountAndTheBinsAfter() {
        CliRun.Result r = run("try-free", doubleFree, "0x5555555592c0", "--color=never");
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("""
                free(0x5555555592c0) at step 3 of the timeline of double-free, glibc 2.36: chunk 0x5555555592b0, \
                size field 0x21, in use
                free returns; what it changed:
                    ← 0x5555555592b0 (0x20) in use → in tcachebins
                    tcachebins[0x20]: +0x5555555592b0  (1 → 2)

                free lists after it (mallocscope bins):
                tcachebins
                0x20 [  2]: 0x5555555592c0 —▸ 0x5555555592a0 ◂— 0
                fastbins
                empty
                unsortedbin
                empty
                smallbins
                empty
                largebins
                empty
                """);
    }

    @Test
    void atAnEarlierStepTheFreeIsTheProgramsOwn() {
        CliRun.Result r = run("try-free", doubleFree, "0x5555555592a0", "--at", "2", "--color=never");
        assertThat(r.out()).startsWith("""
                free(0x5555555592a0) at step 2 of the timeline of double-free, glibc 2.36: chunk 0x555555559290, \
                size field 0x21, in use
                free returns; what it changed:
                    ← 0x555555559290 (0x20) in use → in tcachebins
                    tcachebins[0x20]: +0x555555559290  (0 → 1)
                """);
        // and the step after it is not changed by having tried: the program's own free did the same
        assertThat(run("try-free", doubleFree, "0x5555555592a0", "--at", "3", "--color=never").out())
                .contains("free(): double free detected in tcache 2");
    }

    @Test
    void aFreeNextToAFreeChunkMergesWithItInTheUnsortedBin() {
        // y's PREV_INUSE is clear (x is free in the unsorted bin): free merges backward
        CliRun.Result r = run("try-free", coalesce, "0x5555555597b0", "--color=never");
        assertThat(r.out()).startsWith("""
                free(0x5555555597b0) at step 4 of the timeline of coalesce, glibc 2.36: chunk 0x5555555597a0, \
                size field 0x510, in use
                free returns; what it changed:
                    ~ 0x555555559290 grew 0x510 → 0xa20, in unsortedbin
                    - 0x5555555597a0 (0x510, in use): merged into 0x555555559290 (0xa20, in unsortedbin)
                """);
        assertThat(r.out()).contains("unsortedbin\nall: 0x555555559290 —▸ 0x7ffff7faacc0 (main_arena+96) ◂— "
                + "0x555555559290\n");
    }

    @Test
    void aFreeBesideTheTopChunkMergesIntoIt() {
        CliRun.Result r = run("try-free", coalesce, "0x5555555592a0", "--at", "1", "--color=never");
        assertThat(r.out()).startsWith("""
                free(0x5555555592a0) at step 1 of the timeline of coalesce, glibc 2.36: chunk 0x555555559290, \
                size field 0x511, in use
                free returns; what it changed:
                    top: 0x5555555597a0 size 0x20860 → 0x555555559290 size 0x20d70
                """);
    }

    @Test
    void withTheTcacheBinFullTheChunkGoesToItsFastbin() {
        CliRun.Result r = run("try-free", fastAndMmapped, "0x555555559380", "--color=never");
        assertThat(r.out()).startsWith("""
                free(0x555555559380) at step 16 of the timeline of fast, glibc 2.36: chunk 0x555555559370, \
                size field 0x21, in use
                free returns; what it changed:
                    ← 0x555555559370 (0x20) in use → in fastbins
                    fastbins[0x20]: +0x555555559370  (0 → 1)
                """);
        // a chunk already in the tcache: its key is there, and the walk of the bin finds it
        CliRun.Result twice = run("try-free", fastAndMmapped, "0x555555559360", "--color=never");
        assertThat(twice.out()).contains("free(): double free detected in tcache 2");
    }

    @Test
    void anMmappedChunkIsUnmapped() {
        CliRun.Result r = run("try-free", fastAndMmapped, "0x7ffff7d9f010", "--color=never");
        assertThat(r.out()).startsWith("""
                free(0x7ffff7d9f010) at step 16 of the timeline of fast, glibc 2.36: chunk 0x7ffff7d9f000, \
                size field 0x31002, mmapped
                free returns; what it changed:
                    - 0x7ffff7d9f000 (0x31000, mmapped): munmapped
                """);
    }

    @Test
    void pointersGlibcRefusesAndOnesThatFault() {
        // 8 bytes into a's user data: the "size field" is a's tcache next, safe-linked (heap >> 12 ^ 0)
        assertThat(run("try-free", doubleFree, "0x5555555592a8", "--color=never").out()).isEqualTo("""
                free(0x5555555592a8) at step 3 of the timeline of double-free, glibc 2.36: chunk 0x555555559298, \
                size field 0x555555559, not a chunk of the heap walk
                free(): invalid pointer
                the program would stop here: Aborted (SIGABRT, exit status 134)
                """);
        assertThat(run("try-free", doubleFree, "0x1234", "--color=never").out()).isEqualTo("""
                free(0x1234) at step 3 of the timeline of double-free, glibc 2.36: chunk 0x1224, its size field unmapped
                SIGSEGV: invalid read of 8 bytes at 0x122c (address not mapped (null pointer dereference?))
                the program would stop here: Segmentation fault (SIGSEGV, exit status 139)
                """);
        assertThat(run("try-free", doubleFree, "0", "--color=never").out()).startsWith("""
                free(0x0) at step 3 of the timeline of double-free, glibc 2.36: NULL
                free(NULL) returns at once: nothing changes
                """);
    }

    @Test
    void aTraceIsReplayedAndFreedToo() {
        CliRun.Result r = run("try-free", CliRun.trace("fastbin-lifo"), "0x5555555592a0", "--color=never");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("""
                free returns; what it changed:
                    ← 0x555555559290 (0x50) in use → in tcachebins
                    tcachebins[0x50]: +0x555555559290  (0 → 1)
                """);
    }

    @Test
    void badInputIsOneLineWithTheStatusOfTheOtherCommands() throws IOException {
        CliRun.Result notHex = run("try-free", doubleFree, "zz");
        assertThat(notHex.status()).isEqualTo(2);
        assertThat(notHex.err()).isEqualTo("mallocscope: ADDR: 'zz' is not a hex address\n");
        CliRun.Result range = run("try-free", doubleFree, "0x10", "--at", "4");
        assertThat(range.status()).isEqualTo(2);
        assertThat(range.err()).isEqualTo("mallocscope: --at 4 is out of range: the timeline of double-free has 3 "
                + "top-level calls (steps 0..3)\n");
        Path junk = dir.resolve("junk.timeline");
        Files.writeString(junk, "this is not a timeline\n");
        CliRun.Result notATimeline = run("try-free", junk.toString(), "0x10");
        assertThat(notATimeline.status()).isEqualTo(1);
        assertThat(notATimeline.err()).hasLineCount(1).contains("not a mallocscope timeline");
        CliRun.Result missing = run("try-free", dir.resolve("nope.timeline").toString(), "0x10");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).hasLineCount(1).contains("nope.timeline");
        CliRun.Result threads = run("try-free", CliRun.TRACES.resolveSibling("traces-threads")
                .resolve("arena-reuse.rep").toString(), "0x5555555592a0");
        assertThat(threads.status()).as("whose tcache would free use? not guessed").isEqualTo(1);
        assertThat(threads.err()).hasLineCount(1)
                .startsWith("mallocscope: try-free runs free as the program's only thread, but at step 42 ")
                .endsWith("arena-reuse.rep has 2 threads (not supported)\n");
        CliRun.Result noAddr = run("try-free", doubleFree);
        assertThat(noAddr.status()).isEqualTo(2);
        assertThat(noAddr.err()).contains("Missing required parameter: 'ADDR'");
    }
}
