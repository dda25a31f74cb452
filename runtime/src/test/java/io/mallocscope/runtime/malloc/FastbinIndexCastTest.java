package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.glibc.NativeHarness;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * glibc's fastbin_index casts the size to {@code unsigned int}: malloc's "memory corruption (fast)"
 * check looks at a fastbin chunk's size field's low 32 bits only, so a size field with its upper half
 * set passes for the fastbin its low bits name (pwndbg's find_fake_fast calls this the glibc fastbin
 * bug). The C twin, {@code src/test/c/casts/fastbin_index_cast.c}, runs on the real glibc.
 */
class FastbinIndexCastTest {
    private static final long[] SIZE_FIELDS = {0x100000021L, 0xffffffff00000021L};

    @Test
    void aSizeFieldWithItsUpperHalfSetPassesMallocsFastbinCheck() {
        assertThat(simulated()).containsExactly(
                "size field 0x100000021: malloc(24) took the chunk",
                "size field 0xffffffff00000021: malloc(24) took the chunk");
    }

    @Test
    void realGlibcTakesItToo() throws Exception {
        Assumptions.assumeTrue(NativeHarness.forSystemGlibc236().isPresent(), NativeHarness.skipReason());
        Path dir = Path.of("target/native/casts");
        Files.createDirectories(dir);
        Path bin = dir.resolve("fastbin_index_cast");
        Process gcc = new ProcessBuilder("gcc", "-O0", "-w", "-o", bin.toString(), "src/test/c/casts/fastbin_index_cast.c")
                .redirectErrorStream(true).start();
        String gccOut = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as(gccOut).isZero();
        Process run = new ProcessBuilder(bin.toString()).redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(out).isZero();
        assertThat(out.lines()).containsExactlyElementsOf(simulated());
    }

    /** The twin's run on the simulated glibc, its lines as it prints them. */
    private static List<String> simulated() {
        LibC c = CProcess.create(ProcessOptions.defaults()).libc();
        List<String> lines = new ArrayList<>();
        for (long sizeField : SIZE_FIELDS) {
            long[] t = new long[7];
            for (int i = 0; i < 7; i++) {
                t[i] = c.malloc(24);
            }
            long x = c.malloc(24);
            c.malloc(24); // the guard
            for (long p : t) {
                c.free(p);
            }
            c.free(x); // the tcache's 0x20 bin is full: x goes to fastbins[0x20]
            c.putLong(x - 8, sizeField);
            for (int i = 0; i < 7; i++) {
                c.malloc(24); // empty the tcache
            }
            long y = c.malloc(24);
            lines.add("size field 0x" + Long.toHexString(sizeField) + ": malloc(24) "
                    + (y == x ? "took the chunk" : "took another"));
        }
        return lines;
    }
}
