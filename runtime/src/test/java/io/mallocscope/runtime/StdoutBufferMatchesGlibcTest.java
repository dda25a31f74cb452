package io.mallocscope.runtime;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * stdout's buffer holds the text as glibc's does: {@code src/test/c/stdio/stdout_buffer.c} prints, after
 * each step, the write pointer's offset and the buffer's bytes; our process, given the same steps, must
 * print the same, fully buffered (stdout on a pipe, 4096 bytes) and line buffered (a terminal, 1024 bytes:
 * the C program runs under {@code script}, which gives it one).
 */
class StdoutBufferMatchesGlibcTest {
    static final List<String> FULL = List.of("p:hello", "n", "p:ab", "f", "p:cd", "x:5000", "p:end", "x:4096",
            "p:q\nw", "x:8200", "f", "x:4090", "p:abcdefgh\n");
    static final List<String> LINE = List.of("p:hello", "n", "p:ab", "p:cd\nef", "f", "p:gh", "x:1030", "p:end", "n",
            "p:abc", "x:1021", "p:z", "p:q\nw", "x:2050", "x:1015", "p:abcdefgh\nij", "x:3000", "p:a\nb\nc");

    /** The steps through our LibC, shown as the C program shows them. */
    static List<String> simulated(List<String> steps, boolean terminal) {
        CProcess p = CProcess.create(ProcessOptions.defaults().withStdoutTerminal(terminal)
                .withStdout(new ByteArrayOutputStream()).withStderr(new ByteArrayOutputStream()));
        LibC c = p.libc();
        List<String> out = new ArrayList<>();
        int high = 0;
        for (String step : steps) {
            if (step.startsWith("p:")) {
                c.printf("%s", step.substring(2));
            } else if (step.equals("n")) {
                c.printf("\n");
            } else if (step.equals("f")) {
                c.fflush(LibC.STDOUT);
            } else if (step.startsWith("x:")) {
                c.printf("%s", "x".repeat(Integer.parseInt(step.substring(2))));
            }
            int pos = c.stdoutBuffered();
            high = Math.max(high, pos);
            StringBuilder sb = new StringBuilder(step + ": size=" + (terminal ? 1024 : 4096) + " pos=" + pos + " [");
            for (int i = 0; i < high; i++) {
                int b = p.memory().read8(c.stdoutBufferAddress() + i);
                sb.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
            }
            out.add(sb.append(']').toString());
        }
        return out;
    }

    @Test
    void fullyBufferedOnAPipe(@TempDir Path dir) throws Exception {
        Path exe = compile(dir);
        List<String> cmd = new ArrayList<>(List.of(exe.toString()));
        cmd.addAll(FULL);
        Path err = dir.resolve("err");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> real = lines(err);
        assertThat(real).first().asString().startsWith("p:hello: size=4096 pos=5 [hello]");
        assertThat(simulated(FULL, false)).containsExactlyElementsOf(real);
    }

    @Test
    void lineBufferedOnATerminal(@TempDir Path dir) throws Exception {
        Path exe = compile(dir);
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "no script(1) to give the program a terminal");
        StringBuilder line = new StringBuilder(exe.toString());
        for (String s : LINE) {
            line.append(" '").append(s.replace("'", "'\\''")).append('\'');
        }
        Path err = dir.resolve("err");
        line.append(" 2>").append(err);
        Process p = new ProcessBuilder("/usr/bin/script", "-qc", line.toString(), "/dev/null")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> real = lines(err);
        Assumptions.assumeTrue(!real.isEmpty() && real.get(0).contains("size=1024"),
                "script(1) gave no terminal here: " + real);
        assertThat(simulated(LINE, true)).containsExactlyElementsOf(real);
    }

    /** A step's text may hold a newline: the C program's line for it then spans two lines; join them back. */
    private static List<String> lines(Path err) throws IOException {
        List<String> raw = Files.readAllLines(err, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        for (String l : raw) {
            if (!out.isEmpty() && !out.get(out.size() - 1).endsWith("]")) {
                out.set(out.size() - 1, out.get(out.size() - 1) + "\n" + l);
            } else {
                out.add(l);
            }
        }
        return out;
    }

    private static Path compile(Path dir) throws InterruptedException {
        Path exe = dir.resolve("stdout_buffer");
        try {
            Process p = new ProcessBuilder("gcc", "-O0", "-o", exe.toString(),
                    Path.of("src/test/c/stdio/stdout_buffer.c").toAbsolutePath().toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            Assumptions.assumeTrue(p.waitFor() == 0, "gcc failed");
        } catch (IOException e) {
            Assumptions.abort("gcc is not installed: skipping the comparison of stdout's buffer with glibc's");
        }
        return exe;
    }
}
