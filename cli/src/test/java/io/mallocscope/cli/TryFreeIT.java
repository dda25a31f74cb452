package io.mallocscope.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code try-free} and {@code find-fake-fast} on samples recorded as a user records them ({@code run}: a
 * forked JVM with the agent): how2heap's fastbin_dup_into_stack and the tcache double free.
 */
class TryFreeIT {
    static final Path DIR = Path.of("target/it/try-free");
    static String dupIntoStack;
    static String doubleFree;

    @BeforeAll
    static void record() throws IOException {
        assumeTrue(Files.isRegularFile(Home.samplesJar()), "the samples jar is not built: " + Home.samplesJar());
        assumeTrue(Home.agentJar().isPresent(), "the agent jar is not built (or has no Premain-Class)");
        Files.createDirectories(DIR);
        dupIntoStack = DIR.resolve("fastbin-dup-into-stack.timeline").toString();
        assertThat(run("run", "--out", dupIntoStack, "--view", "none", "fastbin-dup-into-stack").status()).isZero();
        doubleFree = DIR.resolve("double-free-tcache.timeline").toString();
        assertThat(run("run", "--out", doubleFree, "--view", "none", "double-free-tcache").status()).isEqualTo(134);
    }

    @Test
    void theProgramsOwnSecondFreeIsTheAbortItDiedOf() {
        // step 3 freed a; step 4, free(a) again, is where the program died
        assertThat(run("try-free", doubleFree, "0x5555555592a0", "--at", "3", "--color=never").out()).isEqualTo("""
                free(0x5555555592a0) at step 3 of the timeline of double-free-tcache, glibc 2.36: chunk \
                0x555555559290, size field 0x21, in tcachebins[0x20]
                free(): double free detected in tcache 2
                the program would stop here: Aborted (SIGABRT, exit status 134)
                """);
    }

    @Test
    void aFreedAgainAtOnceIsTheFasttopCheckAfterBItPasses() {
        // steps 18, 19, 20: free(a), free(b), free(a)
        assertThat(run("try-free", dupIntoStack, "0x555555559380", "--at", "18", "--color=never").out())
                .contains("\ndouble free or corruption (fasttop)\n");
        assertThat(run("try-free", dupIntoStack, "0x555555559380", "--at", "19", "--color=never").out())
                .contains("\nfree returns; what it changed:\n");
    }

    @Test
    void theForgedStackChunkIsTheFakeFastChunkOverCallocsTarget() {
        // step 23: calloc #6 left the stack chunk at the fastbin's head; calloc #7 returns 0x7fffffffe3c0
        assertThat(run("find-fake-fast", dupIntoStack, "0x7fffffffe3c0", "--at", "23", "--color=never").out())
                .isEqualTo("""
                        fake fastbin chunks whose user data covers 0x7fffffffe3c0 at step 23 of the timeline of \
                        fastbin-dup-into-stack (glibc 2.36, global_max_fast 0x80, any fastbin size)

                        Fake chunk
                        Addr: 0x7fffffffe3b0
                        Size: 0x20 (with flag bits: 0x20)
                        fastbins[0x20]: malloc(0x0…0x18) would return 0x7fffffffe3c0, the target itself
                        16-aligned
                        """);
    }
}
