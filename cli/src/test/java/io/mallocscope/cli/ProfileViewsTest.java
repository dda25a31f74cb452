package io.mallocscope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Views follow the profile's own struct layout and pointer encoding, not 2.36's. */
class ProfileViewsTest {

    @Test
    void theUnsortedBinHeadIsMainArenaPlus88OnGlibc223And96On236(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("unsorted.rep");
        Files.writeString(trace, "a 0 1100\na 1 24\nf 0\n"); // 0x460: past the tcache, into the unsorted bin
        CliRun.Result old = CliRun.run("bins", trace.toString(), "--at", "3", "--glibc", "2.23", "--color", "never");
        assertThat(old.status()).isZero();
        assertThat(old.out()).contains("(main_arena+88)").doesNotContain("main_arena+96");
        CliRun.Result now = CliRun.run("bins", trace.toString(), "--at", "3", "--color", "never");
        assertThat(now.out()).contains("(main_arena+96)");
    }

    @Test
    void tcacheLinksAreShownDecodedOnlyWhereGlibcMangledThem(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("tcache.rep");
        Files.writeString(trace, "a 0 24\na 1 24\nf 0\nf 1\n");
        // chunk 1's next points at chunk 0's user data in both versions, mangled only from 2.32 on
        String v231 = CliRun.run("heap", trace.toString(), "--at", "4", "--glibc", "2.31", "--color", "never").out();
        String v236 = CliRun.run("heap", trace.toString(), "--at", "4", "--color", "never").out();
        assertThat(v231).contains("fd: 0x5555555592a0");
        assertThat(v236).contains("fd: 0x55500000c7f9");
        assertThat(v231).doesNotContain("corrupted");
    }
}
