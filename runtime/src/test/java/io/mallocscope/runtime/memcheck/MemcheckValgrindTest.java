package io.mallocscope.runtime.memcheck;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
 * The memcheck mode against Valgrind's memcheck on the C twins of the four classic mistakes
 * ({@code src/test/c/memcheck}, compiled by gcc here, run under {@code valgrind --leak-check=full}): the
 * same first error (its kind and where the address lies relative to which block), the same heap
 * summary, leak summary and error count. The stacks differ by nature (C frames, Java frames) and so do
 * the addresses (Valgrind's allocator is not glibc's). Skipped when gcc or valgrind is missing.
 */
class MemcheckValgrindTest {
    static final class Leak implements CProgram {
        @Override
        public int main(LibC c, String[] argv) {
            long p = c.malloc(16);
            c.putLong(p, 1);
            return 0;
        }
    }

    static final class DoubleFree implements CProgram {
        @Override
        public int main(LibC c, String[] argv) {
            long p = c.malloc(16);
            c.free(p);
            c.free(p);
            return 0;
        }
    }

    static final class WriteAfterFree implements CProgram {
        @Override
        public int main(LibC c, String[] argv) {
            long p = c.malloc(16);
            c.free(p);
            c.strcpy(p, "hello");
            return 0;
        }
    }

    static final class OffByOne implements CProgram {
        @Override
        public int main(LibC c, String[] argv) {
            long s = c.global("s", "twenty-four characters!!\0".getBytes(StandardCharsets.US_ASCII));
            long copy = c.malloc(c.strlen(s));
            c.strcpy(copy, s);
            c.free(copy);
            return 0;
        }
    }

    static final class Thousands implements CProgram {
        @Override
        public int main(LibC c, String[] argv) {
            for (int i = 0; i < 1500; i++) {
                c.free(c.malloc(8));
            }
            c.malloc(2000);
            return 0;
        }
    }

    static Stream<Arguments> twins() {
        return Stream.of(Arguments.of("leak", new Leak()), Arguments.of("double_free", new DoubleFree()),
                Arguments.of("write_after_free", new WriteAfterFree()), Arguments.of("off_by_one", new OffByOne()),
                Arguments.of("thousands", new Thousands()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("twins")
    void theReportMatchesValgrinds(String twin, CProgram program) throws Exception {
        String valgrind = valgrind(twin);
        CProcess.Captured ours = CProcess.runCaptured(ProcessOptions.defaults().withMemcheck(true), program);
        assertThat(facts(ours.stderr())).as("ours:\n" + ours.stderr() + "\nValgrind's:\n" + valgrind)
                .isEqualTo(facts(valgrind)).isNotEmpty();
    }

    /**
     * What must agree: the first error's headline and address line (the address itself masked), the
     * HEAP SUMMARY and LEAK SUMMARY lines, and the number of errors.
     */
    static List<String> facts(String report) {
        List<String> lines = new ArrayList<>();
        for (String l : report.split("\n")) {
            if (l.startsWith("==")) {
                lines.add(l.replaceFirst("^==\\d+== ", "").stripTrailing());
            }
        }
        List<String> facts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (facts.isEmpty() && (l.startsWith("Invalid ") || l.startsWith("Conditional ") || l.startsWith("Source "))) {
                facts.add(l);
                for (int j = i + 1; j < lines.size(); j++) {
                    if (lines.get(j).startsWith(" Address ")) {
                        facts.add(lines.get(j).replaceFirst("0x[0-9a-f]+", "0x…"));
                        break;
                    }
                }
            }
            if (l.startsWith("    in use at exit") || l.startsWith("  total heap usage") || l.contains(" lost: ")
                    || l.startsWith("   still reachable") || l.startsWith("All heap blocks")
                    || l.matches("\\d+ bytes in \\d+ blocks are .*")) {
                facts.add(l);
            }
            if (l.startsWith("ERROR SUMMARY: ")) {
                facts.add(l.substring(0, l.indexOf(" errors") + " errors".length()));
            }
        }
        return facts;
    }

    private static String valgrind(String twin) throws IOException, InterruptedException {
        Path src = Path.of("src/test/c/memcheck", twin + ".c");
        assertThat(src).exists();
        Path dir = Files.createTempDirectory("memcheck-twin");
        Path exe = dir.resolve(twin);
        Result gcc = exec(List.of("gcc", "-O0", "-g", "-fno-builtin", "-o", exe.toString(), src.toString()));
        Assumptions.assumeTrue(gcc != null && gcc.status == 0,
                "skipped: gcc cannot compile the C twins here" + (gcc == null ? " (no gcc)" : ": " + gcc.output));
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
