package io.mallocscope.cli;

import io.mallocscope.cli.source.FileKinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What {@code run} checks in-process, before it forks a JVM (RunCommandIT runs programs for real). */
class RunCommandTest {
    @Test
    void anUnknownGlibcIsAUsageErrorBeforeAnyJvmStarts() {
        CliRun.Result r = run("run", "--glibc", "9.9", "first-fit");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: unknown glibc version '9.9' "
                + "(accepted: 2.23, 2.27, 2.31, 2.36, 2.41, 2.43)\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void malformedTunablesAreAUsageErrorBeforeAnyJvmStarts() {
        CliRun.Result r = run("run", "--tunables", "foo", "first-fit");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: malformed tunable 'foo': expected NAME=VALUE\n");
    }

    @Test
    void anUnknownProgramSaysWhereRunsOptionsGo() {
        CliRun.Result r = run("run", "--view", "none", "no-such-sample", "--out", "x.timeline");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("mallocscope: unknown program 'no-such-sample' ")
                .endsWith("\nhint: options of run go before PROGRAM: mallocscope run --view none NAME\n")
                .containsOnlyOnce("options of run go before PROGRAM");
    }

    @Test
    void aMissingCFileIsADataErrorBeforeAnyJvmStarts(@TempDir Path tmp) {
        String missing = tmp.resolve("nothere.c").toString();
        CliRun.Result r = run("run", missing);
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mallocscope: " + missing + ": no such file\n");
    }

    /** The replay tool without its trace: refused like any missing argument, and no timeline is made. */
    @Test
    void runReplayWithoutATraceIsAUsageErrorBeforeAnyJvmStarts(@TempDir Path tmp) {
        Path out = tmp.resolve("replay.timeline");
        CliRun.Result r = run("run", "--out", out.toString(), "replay");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: Missing required parameter: 'TRACE' (mallocscope run replay TRACE: "
                + "the malloclab trace to record, one call per line)\n");
        assertThat(r.out()).isEmpty();
        assertThat(out).doesNotExist();
        CliRun.Result two = run("run", "--out", out.toString(), "replay", "a.rep", "b.rep");
        assertThat(two.status()).isEqualTo(2);
        assertThat(two.err()).isEqualTo("mallocscope: run replay takes one TRACE, not 2 arguments ('b.rep' is one too "
                + "many)\n");
        String missing = tmp.resolve("nothere.rep").toString();
        CliRun.Result gone = run("run", "--out", out.toString(), "replay", missing);
        assertThat(gone.status()).isEqualTo(2);
        assertThat(gone.err()).isEqualTo("mallocscope: " + missing + ": no such file\n");
        assertThat(out).doesNotExist();
    }

    @Test
    void aDirectoryNamedLikeACFileIsSaidToBeOne(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("prog.c"));
        CliRun.Result r = run("run", dir.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mallocscope: " + dir + ": it is a directory, not a C source file\n");
    }

    @Test
    void aSampleWithoutACTwinIsAUsageError() {
        CliRun.Result r = run("run", "--c", "no-such-sample");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: no C twin for sample 'no-such-sample' (see docs/c.md for the samples that have one)\n");
    }

    @Test
    void aMalformedMountIsAUsageErrorBeforeAnyJvmStarts() {
        CliRun.Result r = run("run", "--mount", "nocolon", "first-fit");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: mount 'nocolon' is not HOSTDIR:/PATH[:ro]\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aMissingMountedDirectoryIsAUsageError(@TempDir Path tmp) {
        Path missing = tmp.resolve("missing");
        CliRun.Result r = run("run", "--mount", missing + ":/data", "first-fit");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: cannot mount " + missing + ": not a directory\n");
    }

    @Test
    void mountsReachTheProgramWithAbsoluteHostPaths(@TempDir Path tmp) {
        String property = RunCommand.checkMounts(java.util.List.of(tmp + ":/data:ro", tmp + ":/out"));
        assertThat(property).isEqualTo(tmp + ":/data:ro;" + tmp + ":/out");
        assertThat(RunCommand.checkMounts(java.util.List.of())).isEmpty();
    }

    @Test
    void theDefaultTimelineIsInADirectoryOfTheUsersOwn() {
        Path t = RunCommand.defaultTimeline("first-fit");
        assertThat(t).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"),
                "mallocscope-" + System.getProperty("user.name"), "first-fit.timeline"));
        assertThat(RunCommand.defaultTimeline("a/b c").getFileName()).hasToString("a_b_c.timeline");
    }

    @Test
    void theDefaultDirectoryIsCreatedPrivate(@TempDir Path tmp) throws IOException {
        Path t = tmp.resolve("mallocscope-me").resolve("first-fit.timeline");
        Files.writeString(tmp.resolve("unrelated"), "x");
        try (RunCommand.TimelineClaim c = RunCommand.claimTimeline(t, false)) {
            assertThat(c.file()).isEqualTo(t);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(t.getParent()))).isEqualTo("rwx------");
        assertThat(Files.readString(tmp.resolve("unrelated"))).isEqualTo("x");
    }

    @Test
    void anUnusableOutIsAOneLineUsageError() {
        assumeTrue(Home.agentJar().isPresent(), "the agent jar is not built: run writes no timeline without it");
        CliRun.Result r = run("run", "--out", "/nonexistent/t.timeline", "first-fit");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: cannot write /nonexistent/t.timeline: no such directory\n");
    }

    @Test
    void anOutThatIsADirectoryIsAUsageErrorAndTheDirectoryStays(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("inside"), "kept");
        UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
                () -> RunCommand.claimTimeline(tmp, true));
        assertThat(e.status()).isEqualTo(2);
        assertThat(e.getMessage()).isEqualTo("cannot write " + tmp + ": it is a directory; the timeline goes to a regular file");
        assertThat(Files.readString(tmp.resolve("inside"))).isEqualTo("kept");
    }

    /** A device, a FIFO, a link to either: refused in one line, and left exactly as they were. */
    @Test
    void anOutThatIsNotARegularFileIsRefusedAndLeftAlone(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/null")), "no /dev/null");
        assertThat(refusal(Path.of("/dev/null"))).isEqualTo(
                "cannot write /dev/null: it is a character device; the timeline goes to a regular file");
        assertThat(Files.isRegularFile(Path.of("/dev/null"))).isFalse();
        Path link = Files.createSymbolicLink(tmp.resolve("null-link"), Path.of("/dev/null"));
        assertThat(refusal(link)).isEqualTo("cannot write " + link
                + ": it is a symbolic link to a character device; the timeline goes to a regular file");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        Files.delete(link); // the link itself: @TempDir's clean-up warns about a link to outside the directory
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), tmp.resolve("nowhere"));
        assertThat(refusal(dangling)).endsWith(": it is a symbolic link to a missing file; the timeline goes to a regular file");
        assertThat(tmp.resolve("nowhere")).doesNotExist();
        Path fifo = tmp.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mk.waitFor() == 0, "mkfifo failed");
        assertThat(refusal(fifo)).isEqualTo("cannot write " + fifo
                + ": it is a FIFO (named pipe); the timeline goes to a regular file");
        assertThat(FileKinds.notRegular(fifo)).isEqualTo("a FIFO (named pipe)");
    }

    private static String refusal(Path out) {
        UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
                () -> RunCommand.claimTimeline(out, true));
        assertThat(e.status()).isEqualTo(2);
        return e.getMessage();
    }

    /** Claiming an existing regular file, even through a link, changes nothing: the link stays, nothing is emptied. */
    @Test
    void anExistingRegularFileIsWrittenThroughItsLink(@TempDir Path tmp) throws IOException {
        Path real = tmp.resolve("real.timeline");
        Files.writeString(real, "old");
        Path link = Files.createSymbolicLink(tmp.resolve("link.timeline"), real);
        Object inode = Files.getAttribute(real, "unix:ino");
        try (RunCommand.TimelineClaim c = RunCommand.claimTimeline(link, true)) {
            assertThat(c.file()).isEqualTo(link);
        }
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.getAttribute(real, "unix:ino")).isEqualTo(inode);
        assertThat(Files.readString(real)).as("claiming does not truncate; the recording replaces it only once made").isEqualTo("old");
    }

    /** Two runs at once: the second gets its own default file; a given --out another run holds is refused. */
    @Test
    void concurrentRunsNeverShareATimeline(@TempDir Path tmp) throws IOException {
        Path t = tmp.resolve("mallocscope-me").resolve("first-fit.timeline");
        try (RunCommand.TimelineClaim first = RunCommand.claimTimeline(t, false);
             RunCommand.TimelineClaim second = RunCommand.claimTimeline(t, false)) {
            assertThat(first.file()).isEqualTo(t);
            assertThat(second.file()).isEqualTo(t.resolveSibling("first-fit-2.timeline"));
            UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
                    () -> RunCommand.claimTimeline(t, true));
            assertThat(e.getMessage()).isEqualTo("cannot write " + t + ": another mallocscope run is writing it right now; "
                    + "choose another place with --out FILE");
        }
        try (RunCommand.TimelineClaim again = RunCommand.claimTimeline(t, false)) {
            assertThat(again.file()).as("the first name is free again once its run is over").isEqualTo(t);
        }
    }

    @Test
    void theLookCloserHintNamesTheLauncherOnlyWhenItStartedUs() {
        String saved = System.getProperty("mallocscope.home");
        try {
            System.setProperty("mallocscope.home", "/opt/mallocscope");
            assertThat(RunCommand.selfName()).isEqualTo("./mallocscope");
            System.clearProperty("mallocscope.home");
            assertThat(RunCommand.selfName()).isEqualTo("mallocscope");
        } finally {
            if (saved != null) {
                System.setProperty("mallocscope.home", saved);
            }
        }
    }

    /** Issue #17: the docs say $TMPDIR/mallocscope-$USER; Java's temp dir ignores TMPDIR, the default must not. */
    @Test
    void theDefaultTimelineHonoursTmpdir() {
        String user = System.getProperty("user.name").replaceAll("[^A-Za-z0-9._-]", "_");
        assertThat(RunCommand.defaultTimeline("first-fit", "/var/tmp/elsewhere"))
                .isEqualTo(java.nio.file.Path.of("/var/tmp/elsewhere", "mallocscope-" + user, "first-fit.timeline"));
        assertThat(RunCommand.defaultTimeline("first-fit", ""))
                .isEqualTo(java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "mallocscope-" + user,
                        "first-fit.timeline"));
    }

    /** The agent names the recording file; the user reads the timeline's name, however the bytes are cut. */
    @Test
    void theRecordingsNameIsTheTimelinesInWhatTheAgentSays() throws IOException {
        String said = "mallocscope: timeline written to /t/a.timeline.x1.recording (40 events, 1615 bytes)\n"
                + "/t/a.t/t/a.timeline.x1.recording\n/t/a.timeline.x1.recordin";
        for (int cut = 1; cut <= said.length(); cut++) {
            java.io.ByteArrayOutputStream to = new java.io.ByteArrayOutputStream();
            RunCommand.Replacing r = new RunCommand.Replacing(to, "/t/a.timeline.x1.recording".getBytes(),
                    "/t/a.timeline".getBytes());
            byte[] b = said.getBytes();
            for (int off = 0; off < b.length; off += cut) {
                r.write(b, off, Math.min(cut, b.length - off));
            }
            r.flush();
            assertThat(to.toString()).as("in pieces of " + cut).isEqualTo(
                    "mallocscope: timeline written to /t/a.timeline (40 events, 1615 bytes)\n"
                            + "/t/a.t/t/a.timeline\n/t/a.timeline.x1.recordin");
        }
    }
}
