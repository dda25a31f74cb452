package io.mallocscope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mallocscope.cli.CliRun.trace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The files {@code --out} writes whole ({@code plot --out F.svg}, {@code timeline --out F}, the HTML page
 * included): written completely or not at all, in the CLI's own JVM as a user starts it.
 */
class OutFilesTest {
    static final String TRACE = trace("coalesce-backward-forward-top");

    @TempDir
    Path dir;

    record Forked(int status, String out, String err) {
    }

    /** The CLI in a JVM of its own under {@code ulimit -f BLOCKS} (1 KiB blocks): a write past it fails (EFBIG). */
    static Forked forkWithFileLimit(int blocks, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "ulimit -f " + blocks + " && exec \"$@\"", "bash",
                Home.java().toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Forked(p.exitValue(), out, err);
    }

    private List<String> names() throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aChartTooLargeToWriteLeavesTheOldFileAndOneLine() throws Exception {
        Path svg = Files.writeString(dir.resolve("heap.svg"), "an older chart\n");
        Forked f = forkWithFileLimit(4, "plot", TRACE, "--out", svg.toString());
        assertThat(f.status()).isEqualTo(2);
        assertThat(f.err()).isEqualTo("mallocscope: cannot write " + svg + ": File too large\n");
        assertThat(svg).hasContent("an older chart");
        assertThat(names()).containsExactly("heap.svg");
    }

    @Test
    void aPageTooLargeToWriteLeavesTheOldFileAndOneLine() throws Exception {
        Path html = Files.writeString(dir.resolve("page.html"), "an older page\n");
        Forked f = forkWithFileLimit(40, "timeline", TRACE, "--format", "html", "--out", html.toString());
        assertThat(f.status()).isEqualTo(2);
        assertThat(f.err()).isEqualTo("mallocscope: cannot write " + html + ": File too large\n");
        assertThat(html).hasContent("an older page");
        assertThat(names()).containsExactly("page.html");
    }

    @Test
    void aNewFileThatCannotBeWrittenWholeIsNotLeftHalfWritten() throws Exception {
        Path svg = dir.resolve("new.svg");
        Forked f = forkWithFileLimit(4, "plot", TRACE, "--out", svg.toString());
        assertThat(f.status()).isEqualTo(2);
        assertThat(f.err()).isEqualTo("mallocscope: cannot write " + svg + ": File too large\n");
        assertThat(names()).isEmpty();
    }

    /** Written whole: the old file replaced in one step, through a link that stays a link, its mode kept. */
    @Test
    void aCompleteFileReplacesTheOldOneThroughItsLink() throws Exception {
        Path real = Files.writeString(dir.resolve("real.json"), "old");
        Files.setPosixFilePermissions(real, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), real.getFileName());
        CliRun.Result r = CliRun.run("timeline", TRACE, "--format", "chrome", "--out", link.toString());
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEqualTo("mallocscope: wrote " + link + "\n");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).startsWith("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(real)))
                .isEqualTo("rw-------");
        assertThat(names()).containsExactly("link.json", "real.json");
    }

    @Test
    void devNullIsWrittenNotReplaced() {
        assumeTrue(Files.isWritable(Path.of("/dev/null")), "no /dev/null");
        CliRun.Result t = CliRun.run("timeline", TRACE, "--out", "/dev/null");
        assertThat(t.status()).isZero();
        assertThat(t.err()).isEqualTo("mallocscope: wrote /dev/null\n");
        assertThat(Files.isRegularFile(Path.of("/dev/null"))).isFalse();
    }
}
