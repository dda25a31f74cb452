package io.mallocscope.samples;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.malloc.HeapChecker;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mallocscope.samples.SampleRun.assertMatchesGlibc;
import static io.mallocscope.samples.SampleRun.runExpectingDeclaredStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The samples of threads and arenas against their C twins (src/test/c, with threads.h): the stored
 * outputs of glibc 2.36, and, where gcc is here, the twins compiled with -pthread and run now, which
 * must still print what is stored. The thread samples print addresses inside a thread's heap as
 * offsets from its 64 MiB boundary, which ASLR does not move; house-of-mind-fastbin's count of blocks
 * depends on where the heap starts, so its twin runs under {@code setarch -R} (ASLR off, heap at
 * 0x555555559000 as in the simulator).
 */
class ThreadSamplesTest {
    static final String HOUSE_OF_MIND = "house-of-mind-fastbin";

    @ParameterizedTest
    @ValueSource(strings = {"thread-arenas", "cross-thread-free", "arena-reuse", "arena-max-one", HOUSE_OF_MIND})
    void theSamplePrintsWhatItsCTwinPrints(String name) {
        Class<? extends CProgram> type = Samples.find(name).orElseThrow().type();
        assertMatchesGlibc(runExpectingDeclaredStatus(type).stdout(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"thread-arenas", "cross-thread-free", "arena-reuse", "arena-max-one", HOUSE_OF_MIND})
    void theCTwinStillPrintsTheStoredOutputOnThisMachine(String name, @TempDir Path tmp) throws Exception {
        Path src = Path.of("src/test/c", name + ".c");
        Path bin = tmp.resolve(name);
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O0", "-w", "-pthread", "-o", bin.toString(), src.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("gcc is not installed: " + e.getMessage());
            return;
        }
        String diagnostics = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as(diagnostics).isZero();
        List<String> command = new ArrayList<>();
        if (name.equals(HOUSE_OF_MIND)) {
            Assumptions.assumeTrue(setarchWorks(), "setarch -R (ASLR off) cannot run here: the heap would move");
            command.addAll(List.of("setarch", "-R"));
        }
        command.add(bin.toString());
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("the twin's status").isEqualTo(Samples.find(name).orElseThrow().expectedStatus());
        assertMatchesGlibc(out, name);
    }

    private static boolean setarchWorks() {
        try {
            Process p = new ProcessBuilder("setarch", "-R", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void theHouseOfMindWritesTheVictimsChunkIntoTheFakeArenaAndTheCheckerSeesTheForgery() {
        CProcess p = CProcess.create(ProcessOptions.defaults().withProgramName(HOUSE_OF_MIND)
                .withStdout(new java.io.ByteArrayOutputStream()).withStderr(new java.io.ByteArrayOutputStream()));
        assertThat(p.run(new HouseOfMindFastbin(), new String[0]).code()).isZero();
        // fake arena = heap+0x2a0; fastbinsY[4] at +0x30 holds the victim's chunk, heap+0x2acd110
        long heap = SampleRun.HEAP;
        assertThat(p.memory().read64(heap + 0x2a0 + 0x30)).isEqualTo(heap + 0x2acd110);
        assertThat(HeapChecker.check(p.malloc()))
                .contains("chunk 0x" + Long.toHexString(heap + 0x2acd110) + " of main_arena's heap has the A bit (NON_MAIN_ARENA)");
    }
}
