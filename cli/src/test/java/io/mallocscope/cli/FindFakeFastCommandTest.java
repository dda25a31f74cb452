package io.mallocscope.cli;

import io.mallocscope.cli.testing.RecordedProgram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mallocscope find-fake-fast SOURCE TARGET [SIZE]}: fake fastbin size words a program stored in a
 * global and on its stack, found at the exact addresses glibc 2.36's fastbin check
 * ({@code fastbin_index (chunksize (victim)) == idx}, an {@code unsigned int} compare) would accept.
 */
class FindFakeFastCommandTest {
    @TempDir
    static Path dir;
    static String file;
    static long buf;
    static long stack;

    @BeforeAll
    static void record() throws IOException {
        file = dir.resolve("fake-fast.timeline").toString();
        try (RecordedProgram p = RecordedProgram.open(Path.of(file), "fake-fast")) {
            p.malloc(24); // malloc initialised: global_max_fast 0x80
            buf = p.global("buf", 0x80);
            p.store(buf + 8, 0x71);         // an aligned fake chunk of 0x70 at buf
            p.storeByte(buf + 0x35, 0x7f);  // the classic: a pointer's top byte, misaligned
            stack = p.local(0x40);
            p.store(stack + 8, 0x0000_0001_0000_0021L); // upper 32 bits set: glibc's unsigned int ignores them
        }
    }

    @Test
    void anAlignedFakeChunkInAGlobalAndTheMisaligned0x7fTrick() {
        assertThat(buf).as("buf: the first global in .bss").isEqualTo(0x555555558800L);
        CliRun.Result r = run("find-fake-fast", file, "0x555555558860", "--color=never");
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("""
                fake fastbin chunks whose user data covers 0x555555558860 at step 1 of the timeline of fake-fast \
                (glibc 2.36, global_max_fast 0x80, any fastbin size)

                Fake chunk | PREV_INUSE
                Addr: 0x555555558800
                Size: 0x70 (with flag bits: 0x71)
                fastbins[0x70]: malloc(0x59…0x68) would return 0x555555558810; 0x555555558860 is 0x50 bytes into it
                16-aligned

                Fake chunk | PREV_INUSE | IS_MMAPPED | NON_MAIN_ARENA
                Addr: 0x55555555882d
                Size: 0x78 (with flag bits: 0x7f)
                fastbins[0x70]: malloc(0x59…0x68) would return 0x55555555883d; 0x555555558860 is 0x23 bytes into it
                not 16-aligned: malloc(): unaligned fastbin chunk detected 2
                """);
    }

    @Test
    void theReachIsPwndbgsTheUserDataHoldsTheEightBytesAtTarget() {
        String aligned = "Addr: 0x555555558800\n";
        // data [chunk+0x10, chunk+size+8): for the 0x70 chunk at buf, targets buf+0x10 … buf+0x70
        assertThat(run("find-fake-fast", file, "0x555555558870", "0x70").out()).contains(aligned);
        assertThat(run("find-fake-fast", file, "0x555555558871", "0x70").out()).doesNotContain(aligned);
        assertThat(run("find-fake-fast", file, "0x555555558810", "0x70").out()).contains(aligned)
                .contains("malloc(0x59…0x68) would return 0x555555558810, the target itself\n");
        assertThat(run("find-fake-fast", file, "0x55555555880f", "0x70").out()).doesNotContain(aligned);
    }

    @Test
    void aStackWordWithItsUpperHalfSetPassesForItsLow32Bits() {
        assertThat(stack).isEqualTo(0x7fffffffe390L);
        CliRun.Result r = run("find-fake-fast", file, "0x7fffffffe3a8", "0x20", "--color=never");
        assertThat(r.out()).isEqualTo("""
                fake fastbin chunks whose user data covers 0x7fffffffe3a8 at step 1 of the timeline of fake-fast \
                (glibc 2.36, global_max_fast 0x80, size 0x20)

                Fake chunk | PREV_INUSE
                Addr: 0x7fffffffe390
                Size: 0x100000020 (with flag bits: 0x100000021); fastbin_index reads its low 32 bits
                fastbins[0x20]: malloc(0x0…0x18) would return 0x7fffffffe3a0; 0x7fffffffe3a8 is 0x8 bytes into it
                16-aligned
                """);
        assertThat(run("find-fake-fast", file, "0x7fffffffe3a8", "48", "--color=never").out())
                .as("SIZE in decimal: 0x30, which no word there fits").endsWith("size 0x30)\nnone\n");
    }

    @Test
    void badInputIsOneLineWithTheStatusOfTheOtherCommands() {
        CliRun.Result notHex = run("find-fake-fast", file, "zz");
        assertThat(notHex.status()).isEqualTo(2);
        assertThat(notHex.err()).isEqualTo("mallocscope: TARGET: 'zz' is not a hex address\n");
        CliRun.Result oddSize = run("find-fake-fast", file, "0x555555558860", "0x75");
        assertThat(oddSize.status()).isEqualTo(2);
        assertThat(oddSize.err()).isEqualTo("mallocscope: SIZE: 0x75 is not a fastbin chunk size (0x20, 0x30, … up to "
                + "global_max_fast: a chunk size, not a request)\n");
        CliRun.Result big = run("find-fake-fast", file, "0x555555558860", "0x90");
        assertThat(big.status()).isEqualTo(2);
        assertThat(big.err()).isEqualTo("mallocscope: SIZE 0x90 is above global_max_fast (0x80): malloc does not look "
                + "in the fastbins for it\n");
        CliRun.Result range = run("find-fake-fast", file, "0x555555558860", "--at", "2");
        assertThat(range.status()).isEqualTo(2);
        assertThat(range.err()).isEqualTo("mallocscope: --at 2 is out of range: the timeline of fake-fast has 1 "
                + "top-level calls (steps 0..1)\n");
        CliRun.Result notANumber = run("find-fake-fast", file, "0x555555558860", "big");
        assertThat(notANumber.status()).isEqualTo(2);
        assertThat(notANumber.err()).isEqualTo("mallocscope: SIZE: 'big' is not a number (hex with 0x, or decimal)\n");
    }

    @Test
    void beforeMallocsFirstCallGlobalMaxFastIsNotSetYet() {
        assertThat(run("find-fake-fast", file, "0x555555558860", "--at", "0").out())
                .startsWith("fake fastbin chunks whose user data covers 0x555555558860 at step 0 of the timeline of "
                        + "fake-fast (glibc 2.36, global_max_fast not set yet: 0x80 once malloc runs, any fastbin size)\n");
    }

    @Test
    void aReleaseWithoutFastbinsSaysSo() {
        CliRun.Result r = run("find-fake-fast", CliRun.trace("fastbin-lifo"), "0x555555559300", "--glibc", "2.43");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mallocscope: glibc 2.43 has no fastbins: malloc takes no chunk from one\n");
    }
}
