package io.mallocscope.cli;

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
        RunCommand.prepareTimeline(t, false);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(t.getParent()))).isEqualTo("rwx------");
        assertThat(t).doesNotExist();
    }

    @Test
    void anUnusableOutIsAOneLineUsageError() {
        assumeTrue(Home.agentJar().isPresent(), "the agent jar is not built: run writes no timeline without it");
        CliRun.Result r = run("run", "--out", "/nonexistent/t.timeline", "first-fit");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: cannot write /nonexistent/t.timeline: no such directory\n");
    }

    @Test
    void anOutThatIsADirectoryIsAUsageErrorAndTheDirectoryStays(@TempDir Path tmp) {
        UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
                () -> RunCommand.prepareTimeline(tmp, true));
        assertThat(e.status()).isEqualTo(2);
        assertThat(e.getMessage()).isEqualTo("cannot write " + tmp + ": it is a directory");
        assertThat(tmp).isDirectory();
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
}
