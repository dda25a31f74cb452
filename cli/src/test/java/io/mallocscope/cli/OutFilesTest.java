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
    void outToStandardOutputThatAReaderClosesEndsQuietlyWith141AsStandardOutputDoes() throws Exception {
        // the CLI writes the whole export to /dev/stdout, a pipe whose reader (head -c 10) left after 10 bytes
        List<String> cmd = List.of("bash", "-c", "\"$@\" | head -c 10 > /dev/null; echo \"status ${PIPESTATUS[0]}\"", "bash",
                Home.java().toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "timeline", TRACE, "--format", "html", "--out", "/dev/stdout"); // 86 KB: more than the pipe holds
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("status 141\n");
        assertThat(err).isEmpty();
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

    /** A named FIFO nobody reads would hold the command forever: it is refused at once, and stays a FIFO. */
    @Test
    void aFifoIsRefusedAtOnceNotWaitedOn() throws Exception {
        Path fifo = dir.resolve("chart.svg");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo failed");
        Path link = Files.createSymbolicLink(dir.resolve("link.svg"), fifo.getFileName());
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> {
            CliRun.Result plot = CliRun.run("plot", TRACE, "--out", fifo.toString());
            assertThat(plot.status()).isEqualTo(2);
            assertThat(plot.err()).isEqualTo("mallocscope: cannot write " + fifo + ": it is a FIFO (named pipe); "
                    + "--out writes a regular file (or a device: /dev/stdout, /dev/null)\n");
            assertThat(plot.out()).as("refused before the replay").isEmpty();
            CliRun.Result page = CliRun.run("timeline", TRACE, "--format", "html", "--out", link.toString());
            assertThat(page.status()).isEqualTo(2);
            assertThat(page.err()).isEqualTo("mallocscope: cannot write " + link + ": it is a symbolic link to a FIFO "
                    + "(named pipe); --out writes a regular file (or a device: /dev/stdout, /dev/null)\n");
        });
        assertThat(io.mallocscope.cli.source.FileKinds.notRegular(fifo)).isEqualTo("a FIFO (named pipe)");
    }

    /** /dev/stdout is a pipe already open (to whoever reads the command's output): written, not refused. */
    @Test
    void devStdoutOnAPipeIsWritten() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/stdout")), "no /dev/stdout");
        List<String> cmd = new ArrayList<>(List.of(Home.java().toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "timeline", TRACE, "--format", "chrome", "--out", "/dev/stdout"));
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(out).startsWith("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
        assertThat(err).isEqualTo("mallocscope: wrote /dev/stdout\n");
    }

    /** A link to nothing is refused as run --out refuses it: nothing is made where it points. */
    @Test
    void aLinkToNothingIsRefusedAndNothingIsMade() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("link.svg"), dir.resolve("nowhere.svg"));
        CliRun.Result r = CliRun.run("plot", TRACE, "--out", link.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: cannot write " + link + ": it is a symbolic link to a missing file; "
                + "--out writes a regular file (or a device: /dev/stdout, /dev/null)\n");
        assertThat(names()).containsExactly("link.svg");
    }

    @Test
    void aDirectoryIsRefusedInOneLine() {
        CliRun.Result r = CliRun.run("timeline", TRACE, "--out", dir.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: cannot write " + dir + ": it is a directory; --out writes a "
                + "regular file (or a device: /dev/stdout, /dev/null)\n");
    }

    /** /proc is there but takes no new file (ENOENT): said so, not "no such directory". */
    @Test
    void aDirectoryThatTakesNoNewFileIsSaidSo() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc");
        CliRun.Result plot = CliRun.run("plot", TRACE, "--out", "/proc/x.svg");
        assertThat(plot.status()).isEqualTo(2);
        assertThat(plot.err()).isEqualTo("mallocscope: cannot write /proc/x.svg: no file can be made in /proc\n");
        CliRun.Result page = CliRun.run("timeline", TRACE, "--format", "html", "--out", "/proc/x.html");
        assertThat(page.err()).isEqualTo("mallocscope: cannot write /proc/x.html: no file can be made in /proc\n");
        UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
                () -> RunCommand.claimTimeline(Path.of("/proc/x.timeline"), true));
        assertThat(e.getMessage()).isEqualTo("cannot write /proc/x.timeline: no file can be made in /proc");
        CliRun.Result missing = CliRun.run("plot", TRACE, "--out", dir.resolve("no/such/x.svg").toString());
        assertThat(missing.err()).isEqualTo("mallocscope: cannot write " + dir.resolve("no/such/x.svg")
                + ": no such directory\n");
    }

    /** x.svg/ names a directory: refused, and no file x.svg is written in its place. */
    @Test
    void aNameEndingInASlashIsRefused() {
        String typed = dir.resolve("x.svg") + "/";
        CliRun.Result plot = CliRun.run("plot", TRACE, "--out", typed);
        assertThat(plot.status()).isEqualTo(2);
        assertThat(plot.err()).isEqualTo("mallocscope: cannot write " + typed + ": a name ending in '/' is a directory's; "
                + "--out writes a regular file (leave the '/' out)\n");
        assertThat(plot.out()).isEmpty();
        CliRun.Result page = CliRun.run("timeline", TRACE, "--out", dir.resolve("t.txt") + "/");
        assertThat(page.status()).isEqualTo(2);
        CliRun.Result run = CliRun.run("run", "--out", dir.resolve("r.timeline") + "/", "first-fit");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("mallocscope: cannot write " + dir.resolve("r.timeline") + "/: a name ending in "
                + "'/' is a directory's; --out writes a regular file (leave the '/' out)\n");
        assertThat(dir).isEmptyDirectory();
    }
}
