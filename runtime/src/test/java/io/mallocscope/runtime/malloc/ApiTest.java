package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The less central entry points: memalign family, usable size, reallocarray, calloc, stats. */
class ApiTest {
    @Test
    void memalignFamily() {
        CheckedHeap h = new CheckedHeap();
        LibC c = h.c;
        long memptr = c.global("memptr", 8);
        assertThat(c.posix_memalign(memptr, 3, 10)).isEqualTo(22);
        assertThat(c.posix_memalign(memptr, 24, 10)).isEqualTo(22);
        assertThat(c.posix_memalign(memptr, 64, 10)).isZero();
        assertThat(c.getLong(memptr) % 64).isZero();
        assertThat(c.valloc(10) % 4096).isZero();
        assertThat(c.pvalloc(10) % 4096).isZero();
        assertThat(c.aligned_alloc(256, 10) % 256).isZero();
        assertThat(c.memalign(48, 10) % 64).isZero(); // not a power of two: rounded up
        h.check();
    }

    @Test
    void usableSizeReallocarrayCalloc() {
        CheckedHeap h = new CheckedHeap();
        LibC c = h.c;
        long p = c.malloc(24);
        assertThat(c.malloc_usable_size(p)).isEqualTo(24);
        assertThat(c.malloc_usable_size(0)).isZero();
        long big = c.malloc(300000);
        assertThat(c.malloc_usable_size(big)).isEqualTo(0x4a000 - 16);
        assertThat(c.reallocarray(p, 1L << 62, 8)).isZero();
        assertThat(c.errno()).isEqualTo(12);
        assertThat(c.calloc(1L << 62, 8)).isZero();
        c.memset(p, 0xff, 24);
        c.free(p);
        long q = c.calloc(3, 8); // calloc skips the tcache, so p stays cached
        assertThat(q).isNotEqualTo(p);
        c.memset(c.malloc(24), 0xff, 24);
        for (int i = 0; i < 24; i++) {
            assertThat(c.getByte(q + i)).isZero();
        }
        long r = c.realloc(big, 600000); // mremap: stays mmapped
        assertThat(c.getLong(r - 8) & 2).isEqualTo(2);
        h.check();
    }

    @Test
    void perturbFillsContents() {
        CheckedHeap h = new CheckedHeap("glibc.malloc.perturb=170:glibc.malloc.tcache_count=0");
        long p = h.c.malloc(100);
        assertThat(h.c.getByte(p) & 0xff).isEqualTo(170 ^ 0xff);
        h.c.malloc(24);
        h.c.free(p);
        assertThat(h.c.getByte(p + 40) & 0xff).isEqualTo(170);
    }

    @Test
    void mallocStatsAndInfoTexts() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CProcess pr = CProcess.create(ProcessOptions.defaults().withStderr(err));
        Malloc m = pr.malloc();
        long a = m.malloc(100);
        m.malloc(5000);
        m.free(a);
        m.mallocStats();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("""
                Arena 0:
                system bytes     =     135168
                in use bytes     =       5776
                Total (incl. mmap):
                system bytes     =     135168
                in use bytes     =       5776
                max mmap regions =          0
                max mmap bytes   =          0
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.mallocInfo(0, new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n")
                .contains("<system type=\"current\" size=\"135168\"/>").endsWith("</malloc>\n");
        // the numbers real glibc 2.36 prints for the same calls (malloc(100), malloc(5000), free)
    }

    /** The scenario of src/test/c/checks/stats/malloc-info.c; returns {stdout, stderr}. */
    static String[] infoScenario() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
        Malloc m = CProcess.create(ProcessOptions.defaults().withStderr(err)).malloc();
        long[] p = new long[40];
        for (int i = 0; i < 40; i++) {
            p[i] = m.malloc(i < 20 ? 24 : (i < 30 ? 200 : 2000));
        }
        m.malloc(300000);
        for (int i = 0; i < 40; i += 2) {
            m.free(p[i]);
        }
        m.mallocInfo(0, ps);
        m.mallocStats();
        m.malloc(5000);
        m.mallocInfo(0, ps);
        m.mallocStats();
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void mallocInfoAndStatsMatchRealGlibc() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                io.mallocscope.runtime.glibc.NativeHarness.forSystemGlibc236().isPresent(),
                io.mallocscope.runtime.glibc.NativeHarness.skipReason());
        java.nio.file.Path dir = java.nio.file.Paths.get("target/native/checks");
        java.nio.file.Files.createDirectories(dir);
        String bin = dir.resolve("malloc-info").toString();
        Process gcc = new ProcessBuilder("gcc", "-O0", "-w", "-o", bin, "src/test/c/checks/stats/malloc-info.c")
                .redirectErrorStream(true).start();
        gcc.getInputStream().readAllBytes();
        assertThat(gcc.waitFor()).isZero();
        Process run = new ProcessBuilder(bin).start();
        java.util.concurrent.CompletableFuture<byte[]> errF = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return run.getErrorStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(errF.get(), StandardCharsets.UTF_8);
        assertThat(run.waitFor()).isZero();
        String[] sim = infoScenario();
        assertThat(sim[0]).isEqualTo(out);
        assertThat(sim[1]).isEqualTo(err);
    }
}
