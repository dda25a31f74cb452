package io.mallocscope.c;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.vm.KernelLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Memcheck mode on C programs run by the front end against Valgrind's memcheck on the same files
 * compiled by gcc ({@code valgrind --leak-check=full}): the whole report but the addresses, so the
 * errors, their order, each stack's functions and lines, the address relations, the heap and leak
 * summaries and the counts, for the twins in {@code src/test/c/memcheck}. (The runtime's twins are
 * compiled with {@code -fno-builtin} for their Java programs; gcc's own inlined {@code strcpy} of a
 * literal is stores Valgrind reports piece by piece.) Skipped when gcc or valgrind is missing.
 */
class MemcheckValgrindTest {
    private static final List<Path> FOLDERS = List.of(Path.of("src/test/c/memcheck"));

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> reportsMatchValgrinds() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path folder : FOLDERS) {
            try (Stream<Path> s = Files.list(folder)) {
                s.filter(p -> p.toString().endsWith(".c")).sorted().forEach(files::add);
            }
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(2);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            String valgrind = valgrind(f);
            String ours = ours(f);
            String program = f.getFileName().toString();
            assertThat(facts(ours, program)).as("ours:\n" + ours + "\nValgrind's:\n" + valgrind)
                    .isEqualTo(facts(valgrind, program)).anyMatch(l -> l.startsWith("at ") || l.startsWith("by "));
        }));
    }

    /**
     * A report without what depends on the tool rather than the program: the prefix, the banner, the
     * addresses, where Valgrind's replacement functions live, and its hints about its own options.
     */
    static List<String> facts(String report, String program) {
        List<String> facts = new ArrayList<>();
        boolean banner = true;
        for (String l : report.split("\n")) {
            if (!l.startsWith("==")) {
                continue;
            }
            l = l.replaceFirst("^==\\d+== ?", "").stripTrailing();
            if (banner) {
                banner = !l.isEmpty() && (l.startsWith("Memcheck,") || l.startsWith("Copyright") || l.startsWith("Using Valgrind")
                        || l.startsWith("Command:"));
                if (banner || l.isEmpty()) {
                    continue;
                }
            }
            if (l.isEmpty() || l.startsWith("For lists of detected") || l.startsWith("For counts of detected")
                    || l.startsWith("Process terminating with default action of signal 6")) {
                // glibc's own check stops a double free (natively and here); Valgrind's allocator does not
                continue;
            }
            l = l.replaceFirst("^(\\s*(?:at|by)) 0x[0-9A-Fa-f]+: ", "$1 ")
                    .replaceFirst(" \\((?:in /[^)]*|vg_replace_[a-z]+\\.c:\\d+)\\)$", "")
                    .replaceAll("0x[0-9a-f]+", "0x…");
            if (l.matches("\\s*(?:at|by) \\S+ \\([^)]*\\)") && !l.contains("(" + program + ":")) {
                l = l.substring(0, l.lastIndexOf(" (")); // a frame inside libc (strdup (strdup.c:42)): its name
            }
            facts.add(l.strip());
        }
        return facts;
    }

    private String ours(Path file) throws IOException {
        String name = file.getFileName().toString();
        CFront.Compiled c = CFront.compile(new SourceFile(name, Files.readString(file), file.toAbsolutePath().getParent()))
                .stdin(new ByteArrayInputStream(new byte[0]));
        CProcess.Captured r = c.runCaptured(ProcessOptions.defaults().withKernelLayout(KernelLayout.detect())
                .withMemcheck(true), StandardCharsets.ISO_8859_1);
        return r.stderr();
    }

    private String valgrind(Path file) throws Exception {
        String why = NativeRun.unavailable();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        Path exe = dir.resolve(file.getFileName().toString().replace(".c", ""));
        Result gcc = exec(List.of("gcc", "-O0", "-g", "-o", exe.toString(), file.toString()));
        Assumptions.assumeTrue(gcc != null && gcc.status == 0, () -> "skipped: gcc cannot compile " + file
                + (gcc == null ? "" : ": " + gcc.output));
        Result vg = exec(List.of("valgrind", "--leak-check=full", exe.toString()));
        Assumptions.assumeTrue(vg != null && vg.output.contains("ERROR SUMMARY"),
                "skipped: valgrind is not installed (Debian's valgrind package runs these comparisons)");
        return vg.output;
    }

    private record Result(int status, String output) {
    }

    private static Result exec(List<String> cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return null;
            }
            return new Result(p.exitValue(), out);
        } catch (IOException notInstalled) {
            return null;
        }
    }
}
