package io.mallocscope.runtime.fs;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each script of file system calls (src/test/resources/fs/NAME.script) runs on the real kernel
 * (fileops.c, in a fresh host directory) and on the simulated one twice: in a fresh host directory
 * mounted at /data, and in the in-memory tree under /tmp. Every call must return the same value
 * with the same errno and read the same bytes, the runs must end the same way (SIGBUS included),
 * and the two host directories must hold the same files afterwards.
 */
class FileCallsMatchLinuxTest {

    @ParameterizedTest
    @ValueSource(strings = {"open-read-write", "paths", "pread-pwrite-truncate", "mmap-file", "mmap-private-sigbus",
        "mmap-truncate-private"})
    void scriptMatchesTheRealKernel(String name, @TempDir Path tmp) throws IOException {
        var bin = FileScript.compiled();
        Assumptions.assumeTrue(bin.isPresent(), FileScript::unavailableReason);
        String script = script(name);
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path mounted = Files.createDirectory(tmp.resolve("mounted"));

        FileScript.Native expected = FileScript.runNative(bin.get(), script, real);
        CProcess.Captured onMount = CProcess.runCaptured(
                ProcessOptions.defaults().withMount(new FileSystem.Mount(mounted, "/data", false)),
                FileScript.program(script, "/data"));
        CProcess.Captured inMemory = CProcess.runCaptured(ProcessOptions.defaults(), FileScript.program(script, "/tmp"));

        assertThat(onMount.stdout()).as("%s on a mount; stderr: %s", name, onMount.stderr()).isEqualTo(expected.stdout());
        assertThat(onMount.status().code()).as("status on a mount").isEqualTo(expected.status());
        assertThat(inMemory.stdout()).as("%s in memory; stderr: %s", name, inMemory.stderr()).isEqualTo(expected.stdout());
        assertThat(inMemory.status().code()).as("status in memory").isEqualTo(expected.status());
        assertThat(contents(mounted)).as("files left on the mounted host directory").isEqualTo(contents(real));
    }

    static String script(String name) {
        try (var in = FileCallsMatchLinuxTest.class.getResourceAsStream("/fs/" + name + ".script")) {
            assertThat(in).as("script %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                out.put(p.getFileName().toString(), FileScript.escape(Files.readAllBytes(p)));
            }
        }
        return out;
    }
}
