package io.mallocscope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CompareCommandTest {

    @Test
    void aTcacheDoubleFreeIsCaughtFrom231OnButNotBy227(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("df.rep");
        Files.writeString(trace, "a 0 24\nf 0\nf 0\na 1 24\na 2 24\n");
        CliRun.Result r = CliRun.run("compare", trace.toString(), "--glibc", "2.27,2.36");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("2.27").contains("2.36");
        String row3 = r.out().lines().filter(l -> l.contains("f 0") && l.startsWith("!")).findFirst().orElseThrow();
        assertThat(row3).contains("ok").contains("abort: free(): double free detected in tcache 2");
        String row4 = r.out().lines().filter(l -> l.contains("a 1 24")).findFirst().orElseThrow();
        assertThat(row4).as("2.27 hands the same chunk out again; 2.36 has stopped")
                .contains("H+0x260 0x21").contains("—");
    }

    @Test
    void aSampleShowsWhichVersionStopsIt() {
        CliRun.Result r = CliRun.run("compare", "double-free-tcache", "--glibc", "2.27,2.36");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("glibc 2.27").contains("glibc 2.36")
                .contains("glibc 2.36 stops it: free(): double free detected in tcache 2")
                .doesNotContain("glibc 2.27 stops it");
        String first = r.out().lines().filter(l -> l.contains(" 1 ")).findFirst().orElseThrow();
        assertThat(first).as("the tcache struct is 0x250 in 2.27, 0x290 in 2.36")
                .contains("= H+0x260").contains("= H+0x2a0").startsWith("!");
    }

    @Test
    void aTimelineRecordedFromASampleComparesThatSample(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("first-fit.timeline");
        io.mallocscope.cli.testing.RecordedFirstFit.record(file);
        CliRun.Result r = CliRun.run("compare", file.toString(), "--glibc", "2.27,2.36");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("first-fit: allocation calls and how each run ended, per glibc version")
                .contains("malloc(0x512) = H+0x260").contains("malloc(0x512) = H+0x2a0");
    }

    @Test
    void aTimelineWithATornHeaderIsOneLineAsInTheViews(@TempDir Path dir) throws IOException {
        Path whole = dir.resolve("first-fit.timeline");
        io.mallocscope.cli.testing.RecordedFirstFit.record(whole);
        Path torn = dir.resolve("torn.timeline");
        Files.write(torn, java.util.Arrays.copyOf(Files.readAllBytes(whole), 16));
        CliRun.Result r = CliRun.run("compare", torn.toString(), "--glibc", "2.27,2.36");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).hasLineCount(1).startsWith("mallocscope: " + torn + ": the header block is unreadable")
                .doesNotContain("internal error");
        assertThat(CliRun.run("heap", torn.toString()).err()).isEqualTo(r.err());
    }

    /** A header naming a glibc this build does not have: the views that tell the story say so in one line. */
    @Test
    void aTimelineOfAnUnknownGlibcIsOneLineInTimelineAndChunk(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("future.timeline");
        io.mallocscope.runtime.timeline.TimelineHeader h = io.mallocscope.runtime.timeline.TimelineHeader.of(
                java.util.Map.of(io.mallocscope.runtime.timeline.TimelineHeader.PROGRAM, "first-fit",
                        io.mallocscope.runtime.timeline.TimelineHeader.GLIBC, "9.99",
                        io.mallocscope.runtime.timeline.TimelineHeader.RECORD, "calls+transitions+syscalls+writes"));
        try (var w = io.mallocscope.runtime.timeline.TimelineWriter.open(file, h, 1000, msg -> { })) {
            w.call(io.mallocscope.runtime.timeline.Functions.MALLOC, 0, 24, 0, 0, 0, 0, 0);
            w.ret(io.mallocscope.runtime.timeline.Functions.MALLOC, 0x5555555592a0L);
            w.writeValue(0x5555555592a0L, 0x41, 8); // a write the story tells from the rebuilt process
        }
        for (String[] cmd : new String[][] {{"timeline", file.toString()}, {"chunk", file.toString(), "0x5555555592a0"},
                {"heap", file.toString()}}) {
            CliRun.Result r = CliRun.run(cmd);
            assertThat(r.status()).as(cmd[0]).isEqualTo(1);
            assertThat(r.err()).as(cmd[0]).doesNotContain("internal error").contains("9.99");
            assertThat(r.err().lines().filter(l -> l.contains("\tat ")).count()).as(cmd[0]).isZero();
        }
    }

    @Test
    void aTimelineOfAnotherProgramIsRefusedWithAReason(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("mine.timeline");
        io.mallocscope.runtime.timeline.TimelineHeader h = io.mallocscope.runtime.timeline.TimelineHeader.of(
                java.util.Map.of(io.mallocscope.runtime.timeline.TimelineHeader.PROGRAM, "my-homework"));
        try (var w = io.mallocscope.runtime.timeline.TimelineWriter.open(file, h, 1000, msg -> { })) {
            w.call(io.mallocscope.runtime.timeline.Functions.MALLOC, 0, 24, 0, 0, 0, 0, 0);
        }
        CliRun.Result r = CliRun.run("compare", file.toString(), "--glibc", "2.27,2.36");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("was recorded from 'my-homework', which is not a sample");
    }

    @Test
    void aCFileRunsUnderEachVersion(@TempDir Path dir) throws IOException {
        Path src = dir.resolve("df.c");
        Files.writeString(src, "#include <stdlib.h>\nint main(void) {\n  void *a = malloc(24);\n  free(a);\n"
                + "  free(a);\n  void *b = malloc(24);\n  void *c = malloc(24);\n  return b == c;\n}\n");
        CliRun.Result r = CliRun.run("compare", src.toString(), "--glibc", "2.27,2.36");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("df.c: allocation calls and how each run ended, per glibc version")
                .contains("glibc 2.36 stops it: free(): double free detected in tcache 2")
                .doesNotContain("glibc 2.27 stops it");
        String first = r.out().lines().filter(l -> l.contains(" 1 ")).findFirst().orElseThrow();
        assertThat(first).as("the tcache struct is 0x250 in 2.27, 0x290 in 2.36")
                .contains("malloc(0x18) = H+0x260").contains("malloc(0x18) = H+0x2a0").startsWith("!");
        String end = r.out().lines().filter(l -> l.matches("!? *end .*")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertThat(end).as("2.27 hands the chunk out twice: b == c").contains("exit 1");
    }

    @Test
    void aCFileWithAMistakeGetsGccsDiagnostic(@TempDir Path dir) throws IOException {
        Path src = dir.resolve("bad.c");
        Files.writeString(src, "int main(void) {\n    return nope;\n}\n");
        CliRun.Result r = CliRun.run("compare", src.toString(), "--glibc", "2.27,2.36");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith(src + ":2:12: error: 'nope' undeclared (first use in this function)\n");
        CliRun.Result missing = CliRun.run("compare", dir.resolve("none.c").toString(), "--glibc", "2.27,2.36");
        assertThat(missing.err()).isEqualTo("mallocscope: " + dir.resolve("none.c") + ": no such file\n");
        assertThat(missing.status()).as("a missing file is a usage mistake").isEqualTo(2);
        // without a directory in the name too: a .c is a file, not a sample name
        CliRun.Result bare = CliRun.run("compare", "none-here.c", "--glibc", "2.27,2.36");
        assertThat(bare.err()).isEqualTo("mallocscope: none-here.c: no such file\n");
        assertThat(bare.status()).isEqualTo(2);
    }

    @Test
    void usageErrors(@TempDir Path dir) {
        assertThat(CliRun.run("compare", "no-such-thing").status()).isEqualTo(2);
        assertThat(CliRun.run("compare", "first-fit", "--glibc", "2.36").status()).isEqualTo(2);
        CliRun.Result bad = CliRun.run("compare", "first-fit", "--glibc", "2.36,9.99");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).startsWith("mallocscope: unknown glibc version '9.99'");
        assertThat(CliRun.run("compare", CliRun.trace("fastbin-lifo"), "--glibc", "2.36,9.99").status())
                .isEqualTo(2);
    }

    /** An unknown version is named as such, alone or not; two versions must be two different ones. */
    @Test
    void anUnknownVersionIsNamedBeforeTheCountIsChecked() {
        CliRun.Result alone = CliRun.run("compare", "first-fit", "--glibc", "9.99");
        assertThat(alone.status()).isEqualTo(2);
        assertThat(alone.err()).isEqualTo("mallocscope: unknown glibc version '9.99' (accepted: 2.23, 2.27, 2.31, 2.36, "
                + "2.41, 2.43)\n");
        CliRun.Result one = CliRun.run("compare", "first-fit", "--glibc", "2.36");
        assertThat(one.status()).isEqualTo(2);
        assertThat(one.err()).isEqualTo("mallocscope: compare needs at least two versions, e.g. --glibc 2.27,2.36\n");
        CliRun.Result same = CliRun.run("compare", "first-fit", "--glibc", "2.36,2.36");
        assertThat(same.status()).isEqualTo(2);
        assertThat(same.err()).isEqualTo("mallocscope: --glibc 2.36,2.36 names 2.36 twice: compare needs at least two "
                + "different versions, e.g. --glibc 2.27,2.36\n");
        assertThat(same.out()).isEmpty();
    }

    /** A directory (even one named like a C file) is said to be one, as every command says it, not "no such file". */
    @Test
    void aDirectoryIsSaidToBeOne(@TempDir Path dir) throws IOException {
        Path named = Files.createDirectory(dir.resolve("prog.c"));
        CliRun.Result c = CliRun.run("compare", named.toString(), "--glibc", "2.27,2.36");
        assertThat(c.status()).isEqualTo(2);
        assertThat(c.err()).isEqualTo("mallocscope: " + named + ": it is a directory, not a C source file\n");
        CliRun.Result plain = CliRun.run("compare", dir.toString(), "--glibc", "2.27,2.36");
        assertThat(plain.status()).isEqualTo(2);
        assertThat(plain.err()).isEqualTo("mallocscope: " + dir + ": it is a directory, not a trace or a timeline\n");
    }

    /** A trace runs no program: an argument after it would be ignored, so it is refused. */
    @Test
    void argumentsAfterATraceAreRefused() {
        String trace = CliRun.trace("fastbin-lifo");
        CliRun.Result r = CliRun.run("compare", trace, "extra", "--glibc", "2.31,2.36");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: compare " + trace + ": a trace takes no ARGS ('extra' is one too "
                + "many); ARGS go to a sample or a C program\n");
        assertThat(r.out()).isEmpty();
    }

    /** A C file refused before it starts (no main) is refused as run refuses it, not six runs that "exit 1". */
    @Test
    void aCFileWithoutMainGetsTheDiagnosticRunGives(@TempDir Path dir) throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.c"), "");
        CliRun.Result r = CliRun.run("compare", empty.toString(), "--glibc", "2.27,2.36");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(empty + ":1:1: error: undefined reference to 'main'\n    1 | \n      | ^\n");
        assertThat(r.out()).isEmpty();
    }
}
