package io.mallocscope.c;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.vm.KernelLayout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A C file run natively (gcc -O0, setarch -R, empty environment) and by the C front end, compared byte for byte. */
final class Differential {
    private Differential() {
    }

    static void check(Path file, Path workDir) throws Exception {
        String name = file.getFileName().toString().replace(".c", "");
        String source = Files.readString(file, StandardCharsets.UTF_8);
        Path input = file.resolveSibling(name + ".in");
        boolean hasInput = Files.isRegularFile(input);
        NativeRun.Result nat = NativeRun.compileAndRun(workDir, name, source, file.toAbsolutePath().getParent(),
                hasInput ? input : null);
        byte[] in = hasInput ? Files.readAllBytes(input) : new byte[0];
        CProcess.Captured sim = simulate(file, name, source, new java.io.ByteArrayInputStream(in));
        String simErr = sim.stderr();
        if (sim.status().signal() != null) {
            // the shell's "Aborted" line is the simulator's report, not the program's output
            int at = simErr.lastIndexOf(sim.status().signal().shellDescription());
            simErr = at < 0 ? simErr : simErr.substring(0, at);
        }
        assertThat(sim.stdout()).as(name + ": stdout (simulated stderr: " + sim.stderr() + ")").isEqualTo(nat.stdout());
        assertThat(simErr).as(name + ": stderr").isEqualTo(nat.stderr());
        assertThat(sim.status().code()).as(name + ": exit status").isEqualTo(nat.status());
    }

    static CProcess.Captured simulate(Path file, String name, String source, java.io.InputStream stdin) {
        CFront.Compiled c = CFront.compile(new SourceFile(name + ".c", source, file.toAbsolutePath().getParent()))
                .stdin(stdin);
        return c.runCaptured(ProcessOptions.defaults().withKernelLayout(KernelLayout.detect()), StandardCharsets.ISO_8859_1);
    }
}
