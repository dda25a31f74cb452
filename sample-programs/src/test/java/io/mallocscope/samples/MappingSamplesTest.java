package io.mallocscope.samples;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.fs.FileSystem;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mallocscope.samples.SampleRun.assertMatchesGlibc;
import static io.mallocscope.samples.SampleRun.runExpectingDeclaredStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The samples of the memory-mapping segment (files, shared libraries, processes) against their C
 * twins: the stored outputs of glibc 2.36 on Linux, and, where gcc is here, the twins compiled and
 * run now, which must still print what is stored.
 */
class MappingSamplesTest {
    static final List<String> NAMES = List.of("file-mapped-shared", "private-mapping-cow", "sigbus-past-eof",
            "shared-libraries", "fork-shared-memory", "malloc-after-fork");

    @ParameterizedTest
    @ValueSource(strings = {"file-mapped-shared", "private-mapping-cow", "sigbus-past-eof", "shared-libraries",
        "fork-shared-memory", "malloc-after-fork"})
    void theSamplePrintsWhatItsCTwinPrints(String name) {
        Class<? extends CProgram> type = Samples.find(name).orElseThrow().type();
        assertMatchesGlibc(runExpectingDeclaredStatus(type).stdout(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"file-mapped-shared", "private-mapping-cow", "sigbus-past-eof", "shared-libraries",
        "fork-shared-memory", "malloc-after-fork"})
    void theCTwinStillPrintsTheStoredOutputOnThisMachine(String name, @TempDir Path tmp) throws Exception {
        Path src = Path.of("src/test/c", name + ".c");
        Path bin = tmp.resolve(name);
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O0", "-w", "-o", bin.toString(), src.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("gcc is not installed: " + e.getMessage());
            return;
        }
        String diagnostics = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as(diagnostics).isZero();
        Process p = new ProcessBuilder(bin.toString(), tmp.resolve("data").toString()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("the twin's status").isEqualTo(Samples.find(name).orElseThrow().expectedStatus());
        assertMatchesGlibc(out, name);
    }

    @Test
    void withAMountTheSharedMappingsStoreReachesTheFileOnDisk(@TempDir Path tmp) throws IOException {
        CProcess.Captured r = CProcess.runCaptured(ProcessOptions.defaults().withProgramName("file-mapped-shared")
                .withMount(new FileSystem.Mount(tmp, "/data", false)), new FileMappedShared(), "/data/notes.txt");
        assertThat(r.status().code()).as(r.stderr()).isZero();
        assertThat(Files.readString(tmp.resolve("notes.txt"))).isEqualTo("HELLO, page cache\n");
    }

    @Test
    void theBusErrorNamesTheAddressTheFileAndItsSize() {
        CProcess.Captured r = runExpectingDeclaredStatus(SigbusPastEof.class);
        assertThat(r.stderr()).matches("Bus error \\(invalid read of 1 byte at 0x7ffff7[0-9a-f]{3}000 "
                + "\\(offset 0x1000 of /tmp/ten-bytes.txt is beyond the end of the file \\(size 0xa\\)\\)\\)\n");
    }
}
