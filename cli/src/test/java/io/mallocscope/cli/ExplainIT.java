package io.mallocscope.cli;

import io.mallocscope.cli.html.HtmlModel;
import io.mallocscope.cli.html.HtmlModels;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * #15 Explain on the agent's own recordings of the how2heap-style samples: the narration shows the
 * moment each technique fires — the program's forged metadata named by field and chunk, the
 * allocator's write outside the heap, the chunk handed out outside every heap, the check that passed.
 */
class ExplainIT {
    static final Path DIR = Path.of("target/it/explain");

    @BeforeAll
    static void jars() throws IOException {
        assumeTrue(Files.isRegularFile(Home.samplesJar()), "the samples jar is not built: " + Home.samplesJar());
        assumeTrue(Home.agentJar().isPresent(), "the agent jar is not built (or has no Premain-Class)");
        Files.createDirectories(DIR);
    }

    static Path record(String sample) {
        Path file = DIR.resolve(sample + ".timeline");
        CliRun.Result r = run("run", "--out", file.toString(), "--view", "none", "--color=never", sample);
        assertThat(r.status()).as(r.err()).isIn(0, 134, 139);
        return file;
    }

    static String timeline(Path file, String... more) {
        String[] args = new String[2 + more.length];
        args[0] = "timeline";
        args[1] = file.toString();
        System.arraycopy(more, 0, args, 2, more.length);
        CliRun.Result r = run(args);
        assertThat(r.status()).as(r.err()).isZero();
        return r.out();
    }

    @Test
    void largeBinAttackNamesTheForgedBkNextsizeAndTheWriteIntoTheStack() {
        Path f = record("large-bin-attack");
        String out = timeline(f);
        assertThat(out).contains("""
                #7 free(0x5555555596f0)   LargeBinAttack.java:46
                    unsortedbin: put 0x5555555596e0 (#3) (0x420) [free]
                    program wrote 0x7fffffffe3a0 into #1's bk_nextsize (0x5555555592b8): was 0x555555559290   LargeBinAttack.java:49
                #8 malloc(0x438) = 0x555555559f70   LargeBinAttack.java:52
                    unsortedbin: 0x5555555596e0 (#3) (0x420) moved to largebins[0x400-0x430]
                    top: split 0x440 off, top now 0x55555555a3a0 size 0x1fc60
                    largebin insert wrote 0x5555555596e0 to 0x7fffffffe3c0 (stack, not heap memory)
                      no check stopped it: the chunk went in as the bin's smallest, a path whose \
                bk_nextsize->fd_nextsize store this glibc does not check (2.42 adds the check)
                """);
        // malloc's own globals are its structures: tcache_key in libc's data is not flagged
        assertThat(out).doesNotContain("libc's data");

        // the HTML page's step narration is the same text
        StateSource s = Sources.open(f, new Sources.ReplaySettings("2.36", ""));
        HtmlModel m = HtmlModels.fromTimeline(s.timeline().orElseThrow(), s.ops(), "lba", 100);
        assertThat(m.steps().get(8).explanation()).containsExactly(
                "unsortedbin: 0x5555555596e0 (#3) (0x420) moved to largebins[0x400-0x430]",
                "top: split 0x440 off, top now 0x55555555a3a0 size 0x1fc60",
                "largebin insert wrote 0x5555555596e0 to 0x7fffffffe3c0 (stack, not heap memory)",
                "  no check stopped it: the chunk went in as the bin's smallest, a path whose "
                        + "bk_nextsize->fd_nextsize store this glibc does not check (2.42 adds the check)");
        assertThat(m.steps().get(7).explanation()).contains(
                "program wrote 0x7fffffffe3a0 into #1's bk_nextsize (0x5555555592b8): was 0x555555559290   LargeBinAttack.java:49");
    }

    @Test
    void chunkTellsALifeWithTheWritesIntoItAndOfItsAddress() {
        Path f = record("large-bin-attack");
        CliRun.Result p1 = run("chunk", f.toString(), "0x5555555592a0", "--color=never");
        assertThat(p1.status()).as(p1.err()).isZero();
        assertThat(p1.out()).isEqualTo("""
                chunk 0x555555559290 in the timeline of large-bin-attack: 4 steps
                #1 malloc(0x428) = 0x5555555592a0   LargeBinAttack.java:36
                    became the top chunk (0x20d70) when 0x555555559000 was split off
                    created: cut from the top chunk (0x430)
                    handed out: malloc(0x428) = 0x5555555592a0
                #5 free(0x5555555592a0)   LargeBinAttack.java:43
                    freed into unsortedbin
                #6 malloc(0x438) = 0x555555559b30   LargeBinAttack.java:45
                    moved from unsortedbin to largebins[0x400-0x430]
                #7 free(0x5555555596f0)   LargeBinAttack.java:46
                    program wrote 0x7fffffffe3a0 into #1's bk_nextsize (0x5555555592b8): was 0x555555559290   LargeBinAttack.java:49
                """);
        CliRun.Result p2 = run("chunk", f.toString(), "0x5555555596e0", "--color=never");
        assertThat(p2.out()).endsWith("""
                #8 malloc(0x438) = 0x555555559f70   LargeBinAttack.java:52
                    moved from unsortedbin to largebins[0x400-0x430]
                    largebin insert wrote 0x5555555596e0 to 0x7fffffffe3c0 (stack, not heap memory)
                """);
    }

    @Test
    void tcachePoisoningDecodesTheForgedNextAndFlagsTheStackChunk() {
        String out = timeline(record("tcache-poisoning"));
        assertThat(out).contains(
                "    program wrote 0x7ffaaaaab609 into #2's tcache next (0x555555559330): decodes to 0x7fffffffe350 "
                        + "(was 0x5555555592a0)   TcachePoisoning.java:50\n",
                "    malloc returned 0x7fffffffe350: a stack address\n"
                        + "      the safe-linking check passed: 0x7fffffffe350 is 16-aligned\n");
    }

    @Test
    void fastbinDupIntoStackNamesTheFdOfTheChunkThatIsBothInUseAndFree() {
        String out = timeline(record("fastbin-dup-into-stack"));
        assertThat(out).contains(
                "    program wrote 0x7ffaaaaab6e9 into #21's fd (0x555555559380): decodes to 0x7fffffffe3b0 (was 0x0)   "
                        + "FastbinDupIntoStack.java:60\n",
                "    calloc returned 0x7fffffffe3c0: a stack address\n"
                        + "      the fastbin size check passed: the size word at 0x7fffffffe3b8 (0x20) belongs to this "
                        + "fastbin; the safe-linking check passed: 0x7fffffffe3c0 is 16-aligned\n");
    }

    @Test
    void houseOfSpiritShowsFreeWritingIntoTheFakeStackChunk() {
        String out = timeline(record("tcache-house-of-spirit"));
        assertThat(out).contains("""
                    tcachebins[0x40]: put 0x7fffffffe380, now 1
                    tcache_put wrote 0x7fffffffe to 0x7fffffffe390 (stack, not heap memory)
                    tcache_put wrote 0x5e3f1ab2c47d9061 to 0x7fffffffe398 (stack, not heap memory)
                """, "    malloc returned 0x7fffffffe390: a stack address\n");
    }

    @Test
    void fastbinDupNamesTheDoubleFreeTheFasttopCheckMissedAndTheChunkHandedOutTwice() {
        String out = timeline(record("fastbin-dup"));
        assertThat(out).contains("""
                #21 free(0x5555555593a0)   FastbinDup.java:53
                    fastbins[0x20]: put 0x555555559390 (#16) (0x20) [free]
                    0x555555559390 (#16) went into fastbins[0x20] while still in it: a double free, the chunk is in the \
                list twice; the fasttop check passed: it compares the chunk only with the one at the bin's head
                """, """
                #24 calloc(1, 8) = 0x5555555593a0   FastbinDup.java:58
                    fastbins[0x20]: took 0x555555559390 (#22) (0x20) [exact fit]
                    calloc returned 0x5555555593a0 again: call #22 handed it out and it was not freed since, so two \
                live pointers now share one chunk
                """);
    }

    @Test
    void houseOfSpiritFreesTheFakeStackChunkIntoAFastbinAndCallocHandsItBack() {
        String out = timeline(record("house-of-spirit"));
        assertThat(out).contains("""
                #15 free(0x7fffffffe390)   HouseOfSpirit.java:48
                    fastbins[0x40]: put 0x7fffffffe380 (0x40) [free]
                    fastbin insert wrote 0x7fffffffe to 0x7fffffffe390 (stack, not heap memory)
                """, """
                    calloc returned 0x7fffffffe390: a stack address
                      the fastbin size check passed: the size word at 0x7fffffffe388 (0x40) belongs to this fastbin; \
                the safe-linking check passed: 0x7fffffffe390 is 16-aligned
                """);
    }

    @Test
    void houseOfMindSendsFreeToTheForgedArenaAndNamesTheFastbinWriteIntoIt() {
        String out = timeline(record("house-of-mind-fastbin"));
        assertThat(out).contains("""
                    fastbins[0x60]: put 0x555558026110 (#346) (0x60) [free]
                    free: 0x555558026110 has NON_MAIN_ARENA set in the main heap, so free took its arena from the \
                heap_info at 0x555558000000 (the chunk's address rounded down to 64 MiB): ar_ptr 0x5555555592a0, \
                inside #2's user data, an arena the program forged
                    fastbin insert wrote 0x555558026110 to 0x5555555592d0 (the forged arena's fastbinsY[4]), where the \
                program chose
                """);
    }

    @Test
    void unsafeUnlinkNamesTheFakePrevSizeTheClearedBitAndTheWriteIntoTheGlobal() {
        String out = timeline(record("unsafe-unlink"));
        assertThat(out).contains("""
                    program wrote 0x420 into #2's prev_size (0x5555555596c0): was 0x0   UnsafeUnlink.java:51
                    program wrote 0x430 into #2's size (0x5555555596c8): size 0x430, no flag bits \
                (PREV_INUSE clear: the chunk before counts as free) (was 0x431)   UnsafeUnlink.java:53
                """, """
                    unlink_chunk (0x5555555592a0, in no bin, to merge it) wrote 0x5555555587e8 to 0x555555558800 \
                (the program's data, not heap memory)
                      unlink_chunk's check passed: 0x5555555592a0's fd->bk and bk->fd both point back at it
                """);
    }

    @Test
    void overlappingChunksAndPoisonNullByteNameTheSizeTheyForge() {
        assertThat(timeline(record("overlapping-chunks"))).contains(
                "    program wrote 0x581 into #2's size (0x555555559318): size 0x580 | PREV_INUSE (was 0x501)   "
                        + "OverlappingChunks.java:43\n");
        assertThat(timeline(record("poison-null-byte"))).contains(
                "    program wrote 0x500 into #20's size (0x555555560518), 1 byte of it: size 0x500, no flag bits "
                        + "(PREV_INUSE clear: the chunk before counts as free) (was 0x501)   PoisonNullByte.java:90\n");
    }

    /**
     * #14, #15: a C program's chunk is named by the variable its pointer went to, as C writes the field
     * ({@code b->next}, {@code chunk1_ptr->prev_size}), and each write ends with its {@code prog.c:LINE}.
     */
    @Test
    void aCProgramsWritesNameTheVariablesFieldAndEndWithTheirLine() {
        Path tp = DIR.resolve("tcache-poisoning-c.timeline");
        CliRun.Result r = run("run", "--c", "--out", tp.toString(), "--view", "none", "--color=never", "tcache-poisoning");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(timeline(tp, "--from", "4", "--to", "4")).isEqualTo("""
                #4 free(0x555555559330)   tcache-poisoning.c:29
                    tcachebins[0x90]: put 0x555555559320 (#2), now 2
                    program wrote 0x7ffaaaaab939 into b->next (tcache) (0x555555559330): decodes to 0x7fffffffec60 \
                (was 0x5555555592a0)   tcache-poisoning.c:32
                """);
        Path uu = DIR.resolve("unsafe-unlink-c.timeline");
        r = run("run", "--c", "--out", uu.toString(), "--view", "none", "--color=never", "unsafe-unlink");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(timeline(uu)).contains("""
                #2 malloc(0x420) = 0x5555555596d0   unsafe-unlink.c:19 → chunk1_ptr
                    top: split 0x430 off, top now 0x555555559af0 size 0x20510
                    program wrote 0x420 into chunk1_ptr->prev_size (0x5555555596c0): was 0x0   unsafe-unlink.c:30
                    program wrote 0x430 into chunk1_ptr->size (0x5555555596c8): size 0x430, no flag bits (PREV_INUSE \
                clear: the chunk before counts as free) (was 0x431)   unsafe-unlink.c:32
                """);
    }

    @Test
    void writesAllAddsUserDataAndWritesNoneLeavesTheAllocatorsStory() {
        Path f = record("first-fit");
        String all = timeline(f, "--writes", "all");
        assertThat(all).containsPattern("    program wrote \\d+ bytes to 0x[0-9a-f]+ \\(#1's user data \\+0x0\\)   "
                + "FirstFit\\.java:\\d+\n");
        String none = timeline(f, "--writes", "none");
        assertThat(none).doesNotContain("program wrote");
        CliRun.Result bad = run("timeline", f.toString(), "--writes", "some");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).startsWith("mallocscope: Invalid value for option '--writes': expected one of "
                + "[none, metadata, all] (case-sensitive) but was 'some'");
    }
}
