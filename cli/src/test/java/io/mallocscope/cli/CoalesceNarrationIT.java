package io.mallocscope.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A free neighbour merged by free (or grown into by realloc) is told as taken off the bin it was in:
 * the unsorted bin for a chunk freed since the last malloc sorted it, whatever its size; its small or
 * large bin once sorted; no bin for a chunk the program forged. unlink_chunk does not know which, so
 * the allocator follows the chunk's links to its bin's header (it used to name the bin its size would
 * have: a large bin for the coalescing sample's 0x510 chunks, which never left the unsorted bin, and for
 * unsafe-unlink's fake chunk).
 */
class CoalesceNarrationIT {
    @BeforeAll
    static void jars() throws IOException {
        assumeTrue(Files.isRegularFile(Home.samplesJar()), "the samples jar is not built: " + Home.samplesJar());
        assumeTrue(Home.agentJar().isPresent(), "the agent jar is not built (or has no Premain-Class)");
        Files.createDirectories(ExplainIT.DIR);
    }

    @Test
    void aChunkMergedOutOfTheUnsortedBinIsToldSo() {
        Path f = ExplainIT.record("coalescing");
        assertThat(ExplainIT.timeline(f)).contains("""
                #9 free(0x5555555597b0)   Coalescing.java:38
                    unsortedbin: took 0x555555559290 (#2) (0x510) [coalesce]
                    merged 0x5555555597a0 (#3) (0x510) with 0x555555559290 (#2) (0x510) into 0x555555559290 (0xa20)
                    unsortedbin: put 0x555555559290 (#2) (0xa20) [free]
                """);
    }

    @Test
    void aForgedChunkMergedByFreeIsInNoBin() {
        Path f = ExplainIT.record("unsafe-unlink");
        assertThat(ExplainIT.timeline(f, "--from", "3", "--to", "3")).contains("""
                    unlinked 0x5555555592a0 (0x420), a chunk in no bin [coalesce]
                    merged 0x5555555596c0 (#2) (0x430) with 0x5555555592a0 (0x420) into 0x5555555592a0 (0x850)
                """).contains("unlink_chunk (0x5555555592a0, in no bin, to merge it) wrote 0x5555555587e8 to 0x555555558800");
    }
}
