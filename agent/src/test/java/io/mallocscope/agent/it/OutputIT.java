package io.mallocscope.agent.it;

import io.mallocscope.runtime.timeline.Event;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.timeline.ProgramOutput;
import io.mallocscope.runtime.timeline.Timeline;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recorded process's stdout and stderr ({@code output} events), from the shaded agent jar in
 * forked JVMs running samples: the text must be what the program printed, byte for byte, at the
 * step it was printed.
 */
class OutputIT {
    @TempDir
    Path dir;

    @BeforeAll
    static void locate() {
        AgentIT.locate();
    }

    record Run(int status, String stdout, String stderr) {
    }

    Run sample(String agentArgs, String name) throws Exception {
        List<String> cmd = List.of(AgentIT.java(), "-javaagent:" + AgentIT.agentJar + "=" + agentArgs,
                "-jar", AgentIT.samplesJar.toString(), name);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished in time").isTrue();
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    static String text(List<ProgramOutput> output, int stream) {
        return output.stream().filter(o -> o.stream() == stream).map(ProgramOutput::text).collect(Collectors.joining());
    }

    static String agentLine(Path out) {
        return "mallocscope: timeline written to " + out + " (";
    }

    @Test
    void firstFitsStderrIsRecordedWordForWordBetweenItsCalls() throws Exception {
        Path out = dir.resolve("ff.timeline");
        Run r = sample("out=" + out, "first-fit");
        assertThat(r.status()).isZero();
        Timeline t = Timeline.read(out);
        assertThat(t.outputRecorded()).isTrue();
        assertThat(t.header().get("record")).isEqualTo("calls+transitions+syscalls+writes+output");

        // everything the program printed, and only that: the agent's own line is not the program's
        String printed = text(t.output(), 2);
        assertThat(r.stderr()).startsWith(printed);
        assertThat(r.stderr().substring(printed.length())).startsWith(agentLine(out)).hasLineCount(1);
        assertThat(printed).startsWith("This file doesn't demonstrate an attack")
                .endsWith("If we reuse the first allocation, it now holds the data from the third allocation.\n")
                .hasLineCount(18);
        assertThat(text(t.output(), 1)).isEqualTo(r.stdout()).isEqualTo("");
        assertThat(t.output()).extracting(ProgramOutput::depth).containsOnly(0);

        long a = resultOf(t, 1);
        long b = resultOf(t, 2);
        assertThat(a).isEqualTo(0x5555555592a0L);
        // in order relative to the calls: 5 lines before the first malloc, none between the two mallocs,
        // the pointers after the second, the rest around free and the third malloc
        assertThat(text(t.outputOfStep(0), 2)).isEqualTo(
                "This file doesn't demonstrate an attack, but shows the nature of glibc's allocator.\n"
                        + "glibc uses a first-fit algorithm to select a free chunk.\n"
                        + "If a chunk is free and large enough, malloc will select this chunk.\n"
                        + "This can be exploited in a use-after-free situation.\n"
                        + "Allocating 2 buffers. They can be large, don't have to be fastbin.\n");
        assertThat(t.outputOfStep(1)).isEmpty();
        assertThat(text(t.outputOfStep(2), 2)).isEqualTo(String.format(
                "1st malloc(0x512): 0x%x\n2nd malloc(0x256): 0x%x\nwe could continue mallocing here...\n"
                        + "now let's put a string at a that we can read later \"this is A!\"\n"
                        + "first allocation 0x%x points to this is A!\nFreeing the first one...\n", a, b, a));
        // strcpy's write sits between two lines: the output is two pieces around it
        List<ProgramOutput> step2 = t.outputOfStep(2);
        assertThat(step2).hasSize(2);
        assertThat(t.kind(step2.get(1).seq() - 1)).isEqualTo(EventKind.WRITE);
        assertThat(text(t.outputOfStep(3), 2)).isEqualTo(String.format("We don't need to free anything again. "
                + "As long as we allocate smaller than 0x512, it will end up at 0x%x\nSo, let's allocate 0x500 bytes\n", a));
        assertThat(text(t.outputOfStep(4), 2)).startsWith(String.format("3rd malloc(0x500): 0x%x\n", a))
                .contains(String.format("first allocation 0x%x points to this is C!\n", a));
        assertThat(text(t.outputUpTo(2), 2)).isEqualTo(text(t.outputOfStep(0), 2) + text(t.outputOfStep(2), 2));
        for (ProgramOutput o : t.output()) {
            assertThat(t.stepOf(o.seq())).isEqualTo(o.step());
        }
    }

    /** The result of step {@code step}'s top-level call. */
    private static long resultOf(Timeline t, int step) {
        for (int i = t.callOfStep(step) + 1; i < t.endOfStep(step); i++) {
            if (t.depth(i) == 0 && t.kind(i) == EventKind.RETURN) {
                return t.event(i).ret();
            }
        }
        throw new AssertionError("step " + step + " has no return");
    }

    @Test
    void glibcsDoubleFreeMessageIsRecordedInsideTheFreeThatAborts() throws Exception {
        Path out = dir.resolve("df.timeline");
        Run r = sample("out=" + out, "double-free-tcache");
        assertThat(r.status()).isEqualTo(134);
        Timeline t = Timeline.read(out);

        assertThat(text(t.output(), 1)).isEqualTo(r.stdout()).matches("a = break\\+0x[0-9a-f]+\nfree\\(a\\) once: fine\n");
        String err = text(t.output(), 2);
        assertThat(err).isEqualTo("free(): double free detected in tcache 2\nAborted\n");
        assertThat(r.stderr()).startsWith(err);
        assertThat(r.stderr().substring(err.length())).startsWith(agentLine(out)).hasLineCount(1);

        int last = t.steps();
        assertThat(t.event(t.callOfStep(last)).fnName()).isEqualTo("free");
        List<ProgramOutput> atAbort = t.outputOfStep(last);
        assertThat(atAbort).hasSize(2);
        ProgramOutput glibc = atAbort.get(0);
        assertThat(glibc.text()).isEqualTo("free(): double free detected in tcache 2\n");
        assertThat(glibc.isStderr()).isTrue();
        assertThat(glibc.depth()).isEqualTo(1);
        Event abort = t.event(glibc.seq() + 1);
        assertThat(abort.kind()).isEqualTo(EventKind.ABORT);
        assertThat(abort.message() + "\n").isEqualTo(glibc.text());
        ProgramOutput shell = atAbort.get(1);
        assertThat(shell.text()).isEqualTo("Aborted\n");
        assertThat(shell.depth()).isZero();
        assertThat(t.event(shell.seq() - 1).signal()).isEqualTo(6);

        // "free(a) once: fine" was printed after the first free returned, before the second was called
        List<ProgramOutput> afterFirstFree = t.outputOfStep(last - 1);
        assertThat(afterFirstFree).extracting(ProgramOutput::text).containsExactly("free(a) once: fine\n");
        assertThat(t.event(t.callOfStep(last - 1)).fnName()).isEqualTo("free");
    }

    @Test
    void stdoutAndStderrOfAProgramOnTheClassPathInterleaveWithItsCalls() throws Exception {
        Path out = dir.resolve("printer.timeline");
        String cp = AgentIT.runtimeCp + java.io.File.pathSeparator + AgentIT.testClasses;
        Process p = new ProcessBuilder(AgentIT.java(), "-javaagent:" + AgentIT.agentJar + "=out=" + out + ",quiet",
                "-cp", cp, Printer.class.getName()).directory(dir.toFile())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        byte[] stdout = Files.readAllBytes(dir.resolve("out.txt"));
        String stderr = Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8);
        Timeline t = Timeline.read(out);

        assertThat(text(t.output(), 1)).isEqualTo(new String(stdout, StandardCharsets.UTF_8));
        assertThat(text(t.output(), 1)).matches("p = 0x[0-9a-f]+, naïve ✓\né\ndone\n");
        assertThat(text(t.output(), 2)).isEqualTo(stderr).startsWith("starting\nArena 0:\nsystem bytes");
        assertThat(t.output()).extracting(ProgramOutput::step).containsExactly(0, 2, 3, 4);

        // step 0: before any call; the first printf is preceded by glibc's malloc of stdout's buffer
        assertThat(t.outputOfStep(0)).extracting(ProgramOutput::text).containsExactly("starting\n");
        Event bufferMalloc = t.event(t.callOfStep(2));
        assertThat(bufferMalloc.fnName()).isEqualTo("malloc");
        assertThat(bufferMalloc.args()).containsExactly(4096L);
        // putchar's two bytes of "é" join the printf's run: one piece of text, decoded whole
        assertThat(t.outputOfStep(2)).hasSize(1);
        assertThat(t.outputOfStep(2).get(0).text()).endsWith("naïve ✓\né\n");
        // malloc_stats prints inside its own recorded call
        ProgramOutput stats = t.outputOfStep(3).get(0);
        assertThat(t.event(t.callOfStep(3)).fnName()).isEqualTo("malloc_stats");
        assertThat(stats.depth()).isEqualTo(1);
        assertThat(stats.isStderr()).isTrue();
        assertThat(stats.text()).startsWith("Arena 0:\n").contains("in use bytes");
        assertThat(t.outputOfStep(4)).extracting(ProgramOutput::text).containsExactly("done\n");
        assertThat(t.event(t.callOfStep(4)).fnName()).isEqualTo("free");
    }

    /**
     * {@code _exit} loses what stdout's buffer holds in the process (on a pipe: everything since the
     * last flush, as glibc does), while the timeline keeps each piece of output at the step that
     * printed it; {@code exit} writes it out.
     */
    @Test
    void underExitWithoutFlushTheTimelineKeepsWhatTheProcessesStdoutLoses() throws Exception {
        for (String how : List.of("_exit", "exit")) {
            Path out = dir.resolve(how + ".timeline");
            String cp = AgentIT.runtimeCp + java.io.File.pathSeparator + AgentIT.testClasses;
            Process p = new ProcessBuilder(AgentIT.java(), "-javaagent:" + AgentIT.agentJar + "=out=" + out + ",quiet",
                    "-cp", cp, Exiter.class.getName(), how).directory(dir.toFile())
                    .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(5);
            String stdout = Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8);
            String stderr = Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8);
            Timeline t = Timeline.read(out);

            assertThat(stdout).as(how).isEqualTo(how.equals("_exit") ? "flushed\n" : "flushed\nheld until exit\n");
            assertThat(text(t.output(), 1)).as(how).isEqualTo("flushed\nheld until exit\n");
            assertThat(text(t.output(), 2)).isEqualTo(stderr).matches("p = 0x[0-9a-f]+\n");
            // each piece at the step that printed it: both lines before the first malloc (stdout's
            // buffer, step 1), the pointer after the program's malloc (step 2)
            assertThat(text(t.outputOfStep(1), 1)).isEqualTo("flushed\nheld until exit\n");
            assertThat(text(t.outputOfStep(2), 2)).isEqualTo(stderr);
            assertThat(t.output()).extracting(ProgramOutput::step).containsOnly(1, 2);
            assertThat(t.event(t.callOfStep(1)).fnName()).isEqualTo("malloc");
            assertThat(t.event(t.callOfStep(1)).args()).containsExactly(4096L);
        }
    }

    @Test
    void recordWithoutOutputLeavesItOut() throws Exception {
        Path out = dir.resolve("quiet.timeline");
        Run r = sample("out=" + out + ",record=calls+transitions,quiet", "double-free-tcache");
        assertThat(r.status()).isEqualTo(134);
        assertThat(r.stderr()).isEqualTo("free(): double free detected in tcache 2\nAborted\n");
        Timeline t = Timeline.read(out);
        assertThat(t.outputRecorded()).isFalse();
        assertThat(t.output()).isEmpty();
        List<String> kinds = new ArrayList<>();
        for (Event e : t.events()) {
            kinds.add(e.kind().wireName());
        }
        assertThat(kinds).doesNotContain("output").contains("call", "tcache_put", "abort");
    }
}
