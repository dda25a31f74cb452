package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.glibc.CPrograms;
import io.mallocscope.runtime.glibc.NativeHarness;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code malloc_info} and {@code malloc_stats} print every arena as glibc does: the calls of
 * {@code src/test/c/checks/stats/arenas.c} (three threads taking turns, ending one at a time so the
 * free list's order is fixed; an arena with two heaps, one
 * deleted again; a free arena reused) made on the simulator give byte for byte the texts the C program
 * prints on the real library: the system 2.36 and, where fetched, 2.31, 2.41 and 2.43 (2.43 prints no
 * "fast" totals). For 2.31 the program is built as the replay harness is ({@code -DCOMPAT_START
 * -nostartfiles}, {@code libpthread.so.0}: compat_start.h), since a program linked here otherwise needs
 * the GLIBC_2.34 versions of {@code __libc_start_main}, {@code pthread_create} and the semaphores.
 */
class ArenaStatsMatchGlibcTest {
    static final Path SOURCE = Path.of("src/test/c/checks/stats/arenas.c");
    /** The calls of arenas.c on the simulator with glibc {@code version}; {stdout, stderr}. */
    static String[] simulated(String version) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CProcess p = CProcess.create(ProcessOptions.defaults().withGlibc(version).withStdout(out).withStderr(err));
        LibC c = p.libc();
        long ready = c.global("ready", 32);
        long go = c.global("go", 96);
        long[] blocks = new long[90];
        c.setbufNone(LibC.STDOUT);
        c.mallopt(LibC.M_MMAP_THRESHOLD, 1 << 20);
        long attr = c.local(64);
        c.pthread_attr_init(attr);
        c.pthread_attr_setstacksize(attr, 8 << 20);
        long keep = c.malloc(100);
        c.free(c.malloc(70));
        long t = c.local(24);
        c.sem_init(ready, 0, 0);
        for (int i = 0; i < 3; i++) {
            c.sem_init(go + 32 * i, 0, 0);
        }
        c.pthread_create(t, attr, (tc, arg) -> {
            long[] q = new long[40];
            for (int i = 0; i < 40; i++) {
                q[i] = tc.malloc(i < 15 ? 24 : (i < 30 ? 200 : 3000));
            }
            for (int i = 0; i < 40; i += 2) {
                tc.free(q[i]);
            }
            tc.malloc(2 << 20);
            tc.sem_post(ready);
            tc.sem_wait(go);
            return 0;
        }, 0);
        c.sem_wait(ready);
        c.pthread_create(t + 8, attr, (tc, arg) -> {
            for (int i = 0; i < 90; i++) {
                blocks[i] = tc.malloc(800000);
            }
            tc.sem_post(ready);
            tc.sem_wait(go + 32);
            for (int i = 89; i >= 30; i--) {
                tc.free(blocks[i]);
            }
            for (int i = 0; i < 30; i += 2) {
                tc.free(blocks[i]);
            }
            return 0;
        }, 0);
        c.sem_wait(ready);
        c.malloc_info(0, LibC.STDOUT);
        c.malloc_stats();
        c.sem_post(go);
        c.pthread_join(c.process().memory().read64(t), 0);
        c.sem_post(go + 32);
        c.pthread_join(c.process().memory().read64(t + 8), 0);
        c.malloc_info(0, LibC.STDOUT);
        c.malloc_stats();
        c.pthread_create(t + 16, attr, (tc, arg) -> {
            tc.free(tc.malloc(5000));
            tc.malloc(40);
            tc.sem_post(ready);
            tc.sem_wait(go + 64);
            return 0;
        }, 0);
        c.sem_wait(ready);
        c.malloc_info(0, LibC.STDOUT);
        c.malloc_stats();
        c.sem_post(go + 64);
        c.pthread_join(c.process().memory().read64(t + 16), 0);
        c.free(keep);
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void everyArenaIsListedInTheOrderOfMainArenasNextWithItsHeaps() {
        String[] sim = simulated("2.36");
        String first = sim[0].substring(0, sim[0].indexOf("</malloc>"));
        assertThat(first).contains("<heap nr=\"0\">", "<heap nr=\"1\">", "<heap nr=\"2\">").doesNotContain("<heap nr=\"3\">");
        // thread 2's arena, the newest, comes first after main_arena: two heaps of 90 × 800000 bytes
        String arena1 = first.substring(first.indexOf("<heap nr=\"1\">"), first.indexOf("<heap nr=\"2\">"));
        assertThat(arena1).contains("<aspace type=\"subheaps\" size=\"2\"/>");
        assertThat(sim[1]).startsWith("Arena 0:\n").contains("Arena 1:\n", "Arena 2:\n");
    }

    @ParameterizedTest(name = "glibc {0}")
    @ValueSource(strings = {"2.36", "2.31", "2.41", "2.43"})
    void theTextsAreTheRealLibrarys(String version) throws Exception {
        Path binary = version.equals("2.31")
                ? CPrograms.compile(SOURCE.toString(), "checks", "arenas-2.31", "-pthread", "-DCOMPAT_START", "-nostartfiles",
                        "-Wl,--no-as-needed", "-l:libpthread.so.0")
                : CPrograms.compile(SOURCE.toString(), "checks", "arenas", "-pthread");
        Assumptions.assumeTrue(NativeHarness.forVersion(version).isPresent(), NativeHarness.skipReason(version));
        List<String> command = new ArrayList<>(NativeHarness.forVersion(version).orElseThrow().launcher());
        command.add(binary.toString());
        CPrograms.Run real = CPrograms.run(command);
        String out = real.out();
        String err = real.err();
        assertThat(real.status()).as(err).isZero();
        String[] sim = simulated(version);
        // both sides kept for a diff when they differ
        Files.writeString(binary.resolveSibling("arenas-" + version + ".real.out"), out + "----\n" + err);
        Files.writeString(binary.resolveSibling("arenas-" + version + ".sim.out"), sim[0] + "----\n" + sim[1]);
        assertThat(sim[0]).as("malloc_info on glibc %s", version).isEqualTo(out);
        assertThat(sim[1]).as("malloc_stats on glibc %s", version).isEqualTo(err);
    }
}
