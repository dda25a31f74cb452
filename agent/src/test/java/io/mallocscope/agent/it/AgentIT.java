package io.mallocscope.agent.it;

import com.sun.tools.attach.VirtualMachine;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.timeline.Event;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.timeline.ProgramOutput;
import io.mallocscope.runtime.timeline.Reconstructor;
import io.mallocscope.runtime.timeline.Timeline;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the shaded agent jar with -javaagent (or attaches it) in forked JVMs and checks the
 * timelines they leave.
 */
class AgentIT {
    static Path agentJar;
    static String runtimeCp;
    static String testClasses;
    static Path samplesJar;

    @TempDir
    Path dir;

    @BeforeAll
    static void locate() {
        agentJar = Path.of(System.getProperty("mallocscope.agent.jar", "target/mallocscope-agent.jar")).toAbsolutePath();
        assertThat(agentJar).exists();
        testClasses = System.getProperty("mallocscope.test.classes", "target/test-classes");
        List<String> cp = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        runtimeCp = cp.stream().filter(e -> e.contains("mallocscope-runtime") || e.replace('\\', '/').endsWith("runtime/target/classes"))
                .findFirst().orElseThrow(() -> new AssertionError("no runtime on the test class path: " + cp));
        // the standalone samples jar (runtime inside), not the module's plain jar on the class path
        samplesJar = Path.of(System.getProperty("mallocscope.samples.jar", "../sample-programs/target/mallocscope-samples.jar"))
                .toAbsolutePath();
        assertThat(samplesJar).exists();
    }

    record Run(int status, String stdout, String stderr) {
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    Run run(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished in time").isTrue();
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
    }

    List<String> javaWithAgent(String agentArgs, String classpath, String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-javaagent:" + agentJar + (agentArgs.isEmpty() ? "" : "=" + agentArgs),
                "-cp", classpath, main));
        cmd.addAll(List.of(args));
        return cmd;
    }

    String userCp() {
        return runtimeCp + File.pathSeparator + testClasses;
    }

    static List<Event> topLevelCalls(Timeline t) {
        List<Event> calls = new ArrayList<>();
        for (int s = 1; s <= t.steps(); s++) {
            calls.add(t.event(t.callOfStep(s)));
        }
        return calls;
    }

    /** What the step-th top-level call returned. */
    static long returned(Timeline t, int step) {
        return t.events().subList(t.callOfStep(step), t.endOfStep(step)).stream()
                .filter(e -> e.kind() == EventKind.RETURN && e.depth() == 0).findFirst().orElseThrow().ret();
    }

    static String kinds(Timeline t, int from, int to) {
        return t.events().subList(from, to).stream().map(e -> e.kind().wireName()
                + (e.kind() == EventKind.CALL || e.kind() == EventKind.SYSCALL || e.kind() == EventKind.RETURN ? ":" + e.fnName() : "")
                + (e.kind() == EventKind.BIN_INSERT || e.kind() == EventKind.BIN_REMOVE ? ":" + e.bin() + "/" + e.reason() : "")
                + (e.kind() == EventKind.CONTEXT ? ":" + (e.thread() == 0 ? e.pid() + "" : e.pid() + "." + e.thread()) : ""))
                .collect(Collectors.joining(" "));
    }

    /** Issue #17: each=DIR records every simulated process of the JVM into its own timeline, named after its test. */
    @Test
    void eachProcessGetsItsOwnTimelineNamedAfterItsTest() throws Exception {
        Path each = dir.resolve("timelines");
        Run r = run(javaWithAgent("each=" + each, userCp(), ThreeTests.class.getName()));
        assertThat(r.status()).isZero();
        assertThat(r.stderr()).contains("mallocscope: timeline written to " + each.resolve("ListTest.test1.timeline") + " (")
                .contains("mallocscope: timeline written to " + each.resolve("ListTest.test2.timeline") + " (");
        try (Stream<Path> files = Files.list(each)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).hasSize(3)
                    .startsWith("ListTest.test1.timeline", "ListTest.test2.timeline")
                    .last().asString().matches("three-tests-\\d{8}-\\d{6}-3\\.timeline|ThreeTests-\\d{8}-\\d{6}-3\\.timeline");
        }
        for (int i = 1; i <= 2; i++) {
            Timeline t = Timeline.read(each.resolve("ListTest.test" + i + ".timeline"));
            assertThat(t.problem()).isEmpty();
            assertThat(t.steps()).as("test" + i + "'s own calls only").isEqualTo(i);
            long size = 24L * i;
            assertThat(topLevelCalls(t)).allSatisfy(e -> assertThat(e.args()).containsExactly(size));
            assertThat(t.event(t.callOfStep(1)).site()).matches("ThreeTests\\.java:\\d+");
        }
    }

    @Test
    void kernelCallsAndWritesOfAProgramOnTheClassPath() throws Exception {
        Path out = dir.resolve("k.timeline");
        Run r = run(javaWithAgent("out=" + out, userCp(), KernelOnly.class.getName(), "x", "y"));
        assertThat(r.status()).isZero();
        assertThat(r.stderr()).contains("mallocscope: timeline written to " + out + " (");

        Timeline t = Timeline.read(out);
        assertThat(t.problem()).isEmpty();
        assertThat(t.header().program()).isEqualTo("kernel-only");
        assertThat(t.header().argv()).containsExactly("kernel-only", "x", "y");
        long brk0 = t.header().heapStart();
        assertThat(brk0).isEqualTo(CProcess.create().kernel().startBrk());
        assertThat(kinds(t, 0, t.size())).isEqualTo(
                "call:sbrk syscall:sbrk return:sbrk write write "
                        + "call:mmap syscall:mmap return:mmap write write "
                        + "call:munmap syscall:munmap return:munmap "
                        + "call:brk syscall:brk return:brk");
        assertThat(t.event(0).args()).containsExactly(0x2000L);
        assertThat(t.event(0).site()).matches("KernelOnly\\.java:\\d+");
        assertThat(t.event(2).ret()).isEqualTo(brk0);
        assertThat(t.event(3).bytes()).containsExactly(0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11);
        assertThat(new String(t.event(4).bytes(), StandardCharsets.US_ASCII)).isEqualTo("brk memory\0");
        long m = t.event(7).ret();
        assertThat(t.event(8).isFill()).isTrue();
        assertThat(t.event(8).address()).isEqualTo(m);
        assertThat(t.event(8).length()).isEqualTo(0x100);
        assertThat(t.event(9).address()).isEqualTo(m + 0x100);
        assertThat(t.event(10).args()).containsExactly(m + 0x1000, 0x1000L);
        assertThat(t.event(13).args()).containsExactly(brk0 + 0x1000);
        assertThat(t.event(15).ret()).isZero();

        CProcess at = new Reconstructor(t).stateAt(t.steps());
        assertThat(at.kernel().currentBrk()).isEqualTo(brk0 + 0x1000);
        assertThat(at.libc().string(brk0 + 8)).isEqualTo("brk memory");
        assertThat(at.libc().getLong(m + 0x100)).isEqualTo(0x1122334455667788L);
        assertThat(at.libc().getByte(m + 0xff)).isEqualTo((byte) 0x5a);
    }

    @Test
    void firstFitFromTheSamplesJarWithTheDefaultFileName() throws Exception {
        Run r = run(List.of(java(), "-javaagent:" + agentJar, "-jar", samplesJar.toString(), "first-fit"));
        assertThat(r.status()).isZero();
        assertThat(r.stderr()).contains("3rd malloc(0x500): 0x5555555592a0").doesNotContain("cannot instrument");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".timeline")).toList();
        }
        assertThat(files).hasSize(1);
        assertThat(files.get(0).getFileName().toString()).matches("first-fit-\\d{8}-\\d{6}\\.timeline");
        assertThat(r.stderr()).contains("mallocscope: timeline written to " + files.get(0).getFileName());

        Timeline t = Timeline.read(files.get(0));
        List<Event> calls = topLevelCalls(t);
        assertThat(calls).extracting(Event::fnName).containsExactly("malloc", "malloc", "free", "malloc");
        assertThat(calls).extracting(e -> e.args()[0]).containsExactly(0x512L, 0x256L, 0x5555555592a0L, 506L);
        assertThat(calls).extracting(Event::site).allMatch(s -> s.matches("FirstFit\\.java:\\d+"));
        int free = t.callOfStep(3);
        assertThat(kinds(t, free, t.endOfStep(3))).isEqualTo("call:free bin_insert:unsorted/free return:free output output");
        int last = t.callOfStep(4);
        assertThat(kinds(t, last, t.size())).isEqualTo("call:malloc bin_remove:unsorted/sort bin_insert:largebin/sort "
                + "bin_remove:largebin/binmap split bin_insert:unsorted/split return:malloc output output write "
                + "output output output");
        Event ret = t.event(t.endOfStep(4) - 7);
        assertThat(ret.ret()).isEqualTo(0x5555555592a0L);

        Reconstructor rec = new Reconstructor(t);
        assertThat(rec.stateAt(2).libc().string(0x5555555592a0L)).isEqualTo("this is A!");
        assertThat(rec.stateAt(4).libc().string(0x5555555592a0L)).isEqualTo("this is C!");
        assertThat(rec.problem()).isEmpty();
    }

    @Test
    void userProgramKeepsItsExitStatusAndGetsItsSites() throws Exception {
        Path out = dir.resolve("u.timeline");
        Run r = run(javaWithAgent("out=" + out, userCp(), CourseWork.class.getName()));
        assertThat(r.status()).isEqualTo(3);
        assertThat(r.stdout()).startsWith("b=coursework d=0x");
        Timeline t = Timeline.read(out);
        assertThat(topLevelCalls(t)).extracting(Event::fnName).containsExactly("malloc", "malloc", "free", "calloc");
        assertThat(topLevelCalls(t)).extracting(Event::site).doesNotHaveDuplicates()
                .allMatch(s -> s.matches("CourseWork\\.java:\\d+"));
        // strdup is not recorded itself: its malloc is the top-level call, its copy a write
        int dupMalloc = t.callOfStep(2);
        Event copy = t.event(t.endOfStep(2) - 1);
        assertThat(copy.kind()).isEqualTo(EventKind.WRITE);
        assertThat(new String(copy.bytes(), StandardCharsets.US_ASCII)).isEqualTo("coursework\0");
        assertThat(t.event(dupMalloc).args()).containsExactly(11L);
        assertThat(t.header().argv()).containsExactly(CourseWork.class.getName());
        CProcess end = new Reconstructor(t).stateAt(t.steps());
        assertThat(end.libc().string(copy.address())).isEqualTo("coursework");
    }

    @Test
    void aKilledRunLeavesAReadablePrefix() throws Exception {
        Path out = dir.resolve("killed.timeline");
        ProcessBuilder pb = new ProcessBuilder(javaWithAgent("out=" + out, userCp(), SlowLoop.class.getName()))
                .directory(dir.toFile()).redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        int reported = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = in.readLine()) != null) {
                reported = Integer.parseInt(line.substring(4));
                if (reported >= 3000) {
                    break;
                }
            }
            // the background flush (every 50 ms) puts everything up to "ops 3000" on disk while the program
            // goes on: wait until the file shows it rather than for a fixed time, which a loaded machine can outlast
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (Timeline.read(out).steps() < 2 * 3000) {
                assertThat(System.nanoTime()).as("the first 3000 rounds reach the file within 120 s").isLessThan(deadline);
                Thread.sleep(20);
            }
            p.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).isEqualTo(137);
        assertThat(reported).isGreaterThanOrEqualTo(3000);
        Timeline t = Timeline.read(out);
        assertThat(t.steps()).isGreaterThanOrEqualTo(2 * 3000);
        List<Event> calls = topLevelCalls(t);
        for (int i = 0; i < 2 * 3000; i += 2) {
            assertThat(calls.get(i).fnName()).isEqualTo("malloc");
            assertThat(calls.get(i + 1).fnName()).isEqualTo("free");
        }
        // whatever the tail looks like, the reader stops cleanly; a torn tail is reported with its byte offset
        t.problem().ifPresent(problem -> assertThat(problem).containsPattern("at byte \\d+, after \\d+ events"));
    }

    @Test
    void attachesToARunningJvm() throws Exception {
        Path out = dir.resolve("attached.timeline");
        ProcessBuilder pb = new ProcessBuilder(java(), "-cp", userCp(), Waiter.class.getName())
                .directory(dir.toFile()).redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String ready = in.readLine();
        assertThat(ready).startsWith("ready ");
        VirtualMachine vm = VirtualMachine.attach(ready.substring(6));
        try {
            vm.loadAgent(agentJar.toString(), "out=" + out);
        } finally {
            vm.detach();
        }
        try (OutputStream os = p.getOutputStream()) {
            os.write("go\n".getBytes());
        }
        assertThat(in.readLine()).isEqualTo("done");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        Timeline t = Timeline.read(out);
        assertThat(t.header().attached()).isTrue();
        List<Event> calls = topLevelCalls(t);
        assertThat(calls).extracting(Event::fnName).containsExactly("malloc", "free", "free");
        assertThat(calls.get(0).args()).containsExactly(200L);
        assertThat(Files.readString(dir.resolve("err.txt"))).contains("mallocscope: timeline written to " + out);
    }

    @Test
    void aLongReplayNamesNoTraceLines() throws Exception {
        // past 100,000 operations every line would be a site the recorder keeps: the calls are left without one
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 50_001; i++) {
            text.append("a 0 24\nf 0\n");
        }
        Path trace = dir.resolve("long.rep");
        Files.writeString(trace, text);
        Path out = dir.resolve("long.timeline");
        String cp = samplesJar + File.pathSeparator + testClasses;
        Run r = run(javaWithAgent("out=" + out, cp, RunReplay.class.getName(), trace.toString()));
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("replay: 100002 operations from " + trace);
        Timeline t = Timeline.read(out);
        assertThat(t.steps()).isEqualTo(100_002);
        assertThat(t.event(t.callOfStep(100_002)).site()).as("no site: the runtime calls LibC, not the program").isEmpty();
    }

    @Test
    void theReplaySampleRecordsOneStepPerTraceLine() throws Exception {
        Path trace = dir.resolve("t.rep");
        Files.writeString(trace, "# a tiny trace\na 0 24\na 1 2000\nf 0\nr 1 4000\nc 2 100\nf 1\nt 0\n");
        Path out = dir.resolve("r.timeline");
        String cp = samplesJar + File.pathSeparator + testClasses;
        Run r = run(javaWithAgent("out=" + out, cp, RunReplay.class.getName(), trace.toString()));
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("replay: 7 operations from " + trace);
        Timeline t = Timeline.read(out);
        assertThat(topLevelCalls(t)).extracting(Event::fnName)
                .containsExactly("malloc", "malloc", "free", "realloc", "calloc", "free", "malloc_trim");
        // the runtime's TraceRunner makes the calls on the tool's behalf: each is named by its trace line
        assertThat(topLevelCalls(t)).extracting(Event::site)
                .containsExactly("t.rep:2", "t.rep:3", "t.rep:4", "t.rep:5", "t.rep:6", "t.rep:7", "t.rep:8");
        Reconstructor rec = new Reconstructor(t);
        rec.stateAt(t.steps());
        assertThat(rec.problem()).isEmpty();
    }

    @Test
    void badOptionsAndAnUnwritableFileNeverBreakTheProgram() throws Exception {
        Run r = run(javaWithAgent("bogus=1,out=/nonexistent-dir/x.timeline", userCp(), CourseWork.class.getName()));
        assertThat(r.status()).isEqualTo(3);
        assertThat(r.stdout()).startsWith("b=coursework d=0x");
        assertThat(r.stderr().lines().toList()).containsExactly(
                "mallocscope: unknown option 'bogus'; accepted options: out=FILE, each=DIR, "
                        + "record=all|calls,transitions,syscalls,writes,output, sites=static|stack|off, flush=MILLIS, quiet",
                "mallocscope: cannot write the timeline /nonexistent-dir/x.timeline (no such directory); "
                        + "recording is off, the program runs on");
    }

    @Test
    void recordCanLeaveOutTransitionsAndWrites() throws Exception {
        Path out = dir.resolve("calls.timeline");
        Run r = run(javaWithAgent("out=" + out + ",record=calls,syscalls,quiet", userCp(), KernelOnly.class.getName()));
        assertThat(r.status()).isZero();
        assertThat(r.stderr()).isEmpty();
        Timeline t = Timeline.read(out);
        assertThat(kinds(t, 0, t.size())).isEqualTo("call:sbrk syscall:sbrk return:sbrk call:mmap syscall:mmap return:mmap "
                + "call:munmap syscall:munmap return:munmap call:brk syscall:brk return:brk");
        assertThat(t.header().get("record")).isEqualTo("calls+syscalls");
    }

    @Test
    void glibcsAbortIsRecordedInsideTheCallItEnds() throws Exception {
        Path out = dir.resolve("abort.timeline");
        Run r = run(javaWithAgent("out=" + out, userCp(), Faults.class.getName(), "double-free"));
        assertThat(r.status()).isEqualTo(134);
        assertThat(r.stderr()).contains("free(): double free detected in tcache 2");
        Timeline t = Timeline.read(out);
        int second = t.callOfStep(3);
        // glibc prints its message, then aborts; the shell's line follows the unwound call
        assertThat(kinds(t, second, t.size())).isEqualTo("call:free output abort return:free output");
        assertThat(t.event(second + 1).text()).isEqualTo("free(): double free detected in tcache 2\n");
        assertThat(t.event(second + 2).message()).isEqualTo("free(): double free detected in tcache 2");
        assertThat(t.event(second + 2).depth()).isEqualTo(1);
        assertThat(t.event(second + 3).signal()).isEqualTo(6);
        assertThat(t.event(second + 4).text()).isEqualTo("Aborted\n");
    }

    @Test
    void aSegfaultIsRecordedWithItsAddress() throws Exception {
        Path out = dir.resolve("segv.timeline");
        Run r = run(javaWithAgent("out=" + out, userCp(), Faults.class.getName(), "segv"));
        assertThat(r.status()).isEqualTo(139);
        Timeline t = Timeline.read(out);
        Event shell = t.event(t.size() - 1);
        assertThat(shell.text()).startsWith("Segmentation fault (").endsWith(")\n");
        assertThat(r.stderr()).startsWith(shell.text());
        Event last = t.event(t.size() - 2);
        assertThat(last.kind()).isEqualTo(EventKind.SEGV);
        assertThat(last.address()).isEqualTo(8);
        assertThat(last.isWrite()).isTrue();
        assertThat(last.width()).isEqualTo(8);
        assertThat(last.depth()).isZero();
        assertThat(last.message()).isNotEmpty();
        assertThat(t.event(t.size() - 3).kind()).isEqualTo(EventKind.WRITE);
    }

    @Test
    void filesMappingsWriteBacksAndSigbusAreRecorded() throws Exception {
        Path out = dir.resolve("files.timeline");
        Run r = run(javaWithAgent("out=" + out, userCp(), Faults.class.getName(), "files"));
        assertThat(r.status()).isEqualTo(135);
        Timeline t = Timeline.read(out);
        String kinds = kinds(t, 0, t.size());
        assertThat(kinds).startsWith("open call:malloc").contains("call:mmap file_map syscall:mmap return:mmap")
                .contains("write_back").contains("page_private").contains("close").endsWith("sigbus output");
        List<Event> files = t.events().stream().filter(e -> e.kind().isFileEvent()).toList();
        assertThat(files).extracting(e -> e.kind().wireName())
                .containsExactly("open", "file_map", "write_back", "file_map", "page_private", "close", "sigbus");
        assertThat(files.get(0).path()).isEqualTo("/tmp/notes.txt");
        assertThat(files.get(2).cause()).isEqualTo("msync");
        assertThat(files.get(2).fileAddress()).isEqualTo(files.get(1).fileAddress());
        assertThat(files.get(3).isSharedMap()).isFalse();
        assertThat(files.get(4).fileAddress()).isEqualTo(files.get(3).fileAddress());
        assertThat(files.get(6).fileAddress()).isEqualTo(files.get(1).fileAddress() + 4096);
        Reconstructor rec = new Reconstructor(t);
        rec.stateAt(t.steps());
        assertThat(rec.problem()).as("a file mapping replays as memory at its address").isEmpty();
    }

    /** #12: a forked child's calls, glibc abort and output are recorded under its own pid, in one timeline. */
    @Test
    void aForkedChildsCallsAreRecordedUnderItsPid() throws Exception {
        Path out = dir.resolve("fork.timeline");
        Run r = run(javaWithAgent("out=" + out, userCp(), Faults.class.getName(), "fork"));
        assertThat(r.status()).isEqualTo(139);
        // the parent's line is still in stdout's buffer (a pipe) when SIGSEGV ends it: lost, as in C;
        // the timeline has it where it was printed
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).startsWith("free(): double free detected in tcache 2\nSegmentation fault (");
        assertThat(r.stderr()).doesNotContain("mallocscope: cannot").doesNotContain("error");
        Timeline t = Timeline.read(out);
        assertThat(t.output()).extracting(ProgramOutput::text).contains("child killed by signal 6\n");
        assertThat(t.header().version()).isEqualTo(5);
        String kinds = kinds(t, 0, t.size());
        assertThat(kinds).startsWith("call:malloc").contains("call:fork return:fork call:malloc")
                .contains("context:3 call:malloc").contains("call:free").contains("abort return:free")
                .endsWith("output segv output");
        List<Event> contexts = t.events().stream().filter(e -> e.kind() == EventKind.CONTEXT).toList();
        assertThat(contexts).extracting(Event::pid).containsExactly(3, 2);
        assertThat(contexts).extracting(Event::thread).containsExactly(0, 0);
        int fork = kinds.substring(0, kinds.indexOf("call:fork")).split(" ").length;
        assertThat(t.event(fork).fnName()).isEqualTo("fork");
        assertThat(t.event(fork + 1).ret()).as("fork returns the child's pid").isEqualTo(3);
        // the child's malloc(40) and two frees of the parent's block: the second aborts in glibc
        int child = contexts.get(0).seq();
        assertThat(t.event(child + 1).fnName()).isEqualTo("malloc");
        assertThat(t.event(child + 1).args()[0]).isEqualTo(40);
        Event abort = t.events().stream().filter(e -> e.kind() == EventKind.ABORT).findFirst().orElseThrow();
        assertThat(abort.message()).isEqualTo("free(): double free detected in tcache 2");
        assertThat(abort.seq()).isBetween(child, contexts.get(1).seq());
        assertThat(t.event(t.size() - 2).address()).isEqualTo(8);
    }

    /** #13: every event carries its thread; thread creation, a thread's end and joins are calls. */
    @Test
    void threadsAreRecordedWithTheirNumbers() throws Exception {
        Path out = dir.resolve("threads.timeline");
        Run r = run(javaWithAgent("out=" + out, userCp(), Threads.class.getName(), "threads"));
        assertThat(r.status()).isZero();
        assertThat(r.stdout()).isEqualTo("first thread returned 7\n");
        assertThat(r.stderr()).doesNotContain("error").doesNotContain("cannot");
        Timeline t = Timeline.read(out);
        List<String> calls = new ArrayList<>();
        int thread = 0;
        for (Event e : t.events()) {
            if (e.kind() == EventKind.CONTEXT) {
                assertThat(e.pid()).isEqualTo(2);
                thread = e.thread();
            } else if (e.kind() == EventKind.CALL) {
                calls.add("t" + thread + ":" + e.fnName());
            }
        }
        assertThat(calls).containsExactly("t0:malloc", "t0:malloc", "t0:pthread_create", "t0:pthread_create",
                "t0:malloc", "t1:malloc", "t1:free", "t1:free", "t1:malloc", "t1:pthread_exit", "t2:malloc",
                "t2:pthread_exit", "t0:pthread_join", "t0:pthread_join", "t0:pthread_create", "t3:malloc",
                "t3:pthread_exit", "t0:pthread_join", "t0:free", "t0:malloc");
        // pthread_create: the stack's mmap and mprotect and the DTV's calloc (a 0x120 chunk) nest inside
        int create = t.callOfStep(3);
        assertThat(kinds(t, create, create + 6)).isEqualTo("call:pthread_create syscall:mmap syscall:mprotect split "
                + "return:pthread_create call:pthread_create");
        assertThat(t.event(create).args()).containsExactly(returned(t, 2), 0L, 4096L);
        assertThat(t.event(create + 3).size()).isEqualTo(0x120);
        // the thread's first malloc creates its arena: a chunk in a heap mapped high, not main's
        assertThat(t.event(t.callOfStep(6) - 1).kind()).isEqualTo(EventKind.CONTEXT);
        assertThat(returned(t, 6) >>> 32).isEqualTo(0x7fffL);
        // its end frees its tcache (tcache_thread_shutdown) inside pthread_exit(7)
        int exit = t.callOfStep(10);
        assertThat(t.event(exit).args()).containsExactly(7L);
        assertThat(kinds(t, exit, t.endOfStep(10))).contains("bin_insert").endsWith("return:pthread_exit context:2.2");
        // the third thread reuses the first one's cached stack: its creation maps nothing, callocs no DTV
        assertThat(kinds(t, t.callOfStep(15), t.endOfStep(15))).startsWith("call:pthread_create return:pthread_create");
        assertThat(t.header().version()).isEqualTo(5);
        provedBySnaps(t, 17);
    }

    /** The line of SiteThreads.java that ends with {@code // @name}, as a site. */
    static String siteOf(String name) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("src/test/java/io/mallocscope/agent/it/SiteThreads.java"));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).endsWith("// @" + name)) {
                return "SiteThreads.java:" + (i + 1);
            }
        }
        throw new AssertionError("no line marked @" + name);
    }

    /**
     * #13: each call's site is its own thread's line, a blocking one's too: pthread_join takes its site
     * as it is entered, not after the thread it waits for named its own (the getpid line, last). #15:
     * each write's site too.
     */
    @Test
    void everyCallAndWriteHasItsOwnThreadsSite() throws Exception {
        Path out = dir.resolve("sites.timeline");
        Run r = run(javaWithAgent("out=" + out, userCp(), SiteThreads.class.getName()));
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stderr()).doesNotContain("error").doesNotContain("cannot");
        Timeline t = Timeline.read(out);
        List<String> calls = new ArrayList<>();
        List<String> writes = new ArrayList<>();
        int thread = 0;
        for (Event e : t.events()) {
            if (e.kind() == EventKind.CONTEXT) {
                thread = e.thread();
            } else if (e.kind() == EventKind.CALL) {
                calls.add("t" + thread + " " + e.fnName() + " " + e.site());
            } else if (e.kind() == EventKind.WRITE) {
                writes.add("t" + thread + " " + Long.toHexString(e.bytes()[0] & 0xff | (e.bytes()[1] & 0xff) << 8)
                        + " " + e.site());
            }
        }
        // #15: each write has its own line, in its own thread
        assertThat(writes).containsExactly(
                "t0 2222 " + siteOf("main-write"),
                "t1 1111 " + siteOf("t1-write"),
                "t0 3333 " + siteOf("main-write-after"));
        assertThat(calls).containsExactly(
                "t0 malloc " + siteOf("main-malloc-ts"),
                "t0 malloc " + siteOf("main-malloc-a"),
                "t0 pthread_create " + siteOf("main-create"),
                "t1 malloc " + siteOf("t1-malloc"),
                "t1 free " + siteOf("t1-free"),
                "t1 pthread_exit ", // the library's doing: no line of the program
                "t0 pthread_join " + siteOf("main-join"),
                "t0 free " + siteOf("main-free"));
    }

    /** #12: a forked child's calls are recorded under its pid; the replay rebuilds both heaps. */
    @Test
    void aForkedChildsHeapIsRebuiltBesideItsParents() throws Exception {
        Path out = dir.resolve("fork2.timeline");
        Run r = run(javaWithAgent("out=" + out, userCp(), Threads.class.getName(), "fork"));
        assertThat(r.status()).isZero();
        assertThat(r.stdout()).isEqualTo("child exited with 3\n");
        Timeline t = Timeline.read(out);
        assertThat(kinds(t, 0, t.size())).contains("return:fork call:malloc split return:malloc context:3 call:malloc")
                .contains("context:2 call:waitpid return:waitpid call:free");
        provedBySnaps(t, 8);
        Reconstructor rec = new Reconstructor(t);
        CProcess parent = rec.stateAt(t.steps());
        assertThat(parent.processes()).extracting(CProcess::pid).containsExactly(2, 3);
        CProcess child = parent.processes().get(1);
        long a = returned(t, 1);
        // the parent freed a into its tcache; the child freed its own copy of a: both heaps hold it freed.
        // The child's malloc(40) and the parent's malloc(4) got the same address, each in its own heap:
        // the child stored 5 there, waitpid stored the child's wait status (exit 3: 0x300) in the parent's
        long b = t.events().stream().filter(e -> e.kind() == EventKind.CALL && e.fnName().equals("malloc")
                && e.args()[0] == 40).findFirst().map(e -> t.event(e.seq() + 2).ret()).orElseThrow();
        assertThat(returned(t, 3)).isEqualTo(b);
        assertThat(child.memory().read64(b)).isEqualTo(5);
        assertThat(parent.memory().read64(b)).isEqualTo(0x300);
        assertThat(io.mallocscope.runtime.malloc.HeapView.of(parent.malloc()).binStateOf(a - 16))
                .isEqualTo(io.mallocscope.runtime.malloc.HeapView.State.TCACHE);
    }

    /**
     * #12: threads inside a forked child are replayed: the child's thread allocates in an arena of its
     * own, frees one of the child's blocks and ends; a second thread reuses its stack and arena. Every
     * process's and thread's memory, at every snap, is the live one.
     */
    @Test
    void aForkedChildsThreadsAreReplayed() throws Exception {
        Path out = dir.resolve("fork-threads.timeline");
        Run r = run(javaWithAgent("out=" + out, userCp(), Threads.class.getName(), "fork-threads"));
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("child exited with 9\n");
        Timeline t = Timeline.read(out);
        assertThat(kinds(t, 0, t.size())).contains("context:3.1 call:malloc").contains("context:3.2 call:malloc")
                .contains("context:3 call:pthread_join");
        assertThat(t.pids()).containsExactly(2, 3);
        provedBySnaps(t, 12);
        try (Reconstructor rec = new Reconstructor(t)) {
            CProcess child = rec.stateAt(t.steps()).processes().get(1);
            assertThat(child.pid()).isEqualTo(3);
            // the child's two threads were made in the replay: the second got the first's stack back
            assertThat(child.malloc().view().arenas()).hasSize(2);
            assertThat(rec.problem()).isEmpty();
        }
    }

    /**
     * A fork in a thread other than main is replayed from that thread: the child's only thread (its
     * thread 0) is the forker going on, with its arena and tcache; a thread it makes gets main_arena.
     * Every process's and thread's memory, at every snap, is the live one.
     */
    @Test
    void aForkInAThreadIsReplayedFromThatThread() throws Exception {
        Path out = dir.resolve("fork-in-thread.timeline");
        Run r = run(javaWithAgent("out=" + out, userCp(), Threads.class.getName(), "fork-in-thread"));
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("child exited with 4\n");
        Timeline t = Timeline.read(out);
        assertThat(kinds(t, 0, t.size())).contains("context:2.1 call:malloc")
                .contains("call:free tcache_put return:free call:fork return:fork")
                .contains("context:3 call:malloc tcache_get return:malloc").contains("context:3.1 call:malloc");
        assertThat(t.pids()).containsExactly(2, 3);
        provedBySnaps(t, 14);
        try (Reconstructor rec = new Reconstructor(t)) {
            CProcess child = rec.stateAt(t.steps()).processes().get(1);
            assertThat(child.pid()).isEqualTo(3);
            assertThat(child.libc().threadNumber()).isZero();
            assertThat(rec.problem()).isEmpty();
        }
    }

    /**
     * Each line the program wrote beside its timeline (pid, events recorded so far, digest of the live
     * memory) is compared with the replay of every event before that one: the heaps of every thread
     * and process, at every point, are the live ones.
     */
    private void provedBySnaps(Timeline t, int atLeast) throws IOException {
        List<String> snaps = Files.readAllLines(dir.resolve("snaps.txt"));
        assertThat(snaps).hasSizeGreaterThanOrEqualTo(atLeast);
        assertThat(snaps.stream().map(l -> l.split(" ")[2]).distinct().count()).as("the states differ").isGreaterThan(atLeast / 2);
        Reconstructor rec = new Reconstructor(t);
        for (String line : snaps) {
            String[] f = line.split(" ");
            int pid = Integer.parseInt(f[0]);
            int events = Integer.parseInt(f[1]);
            CProcess p = rec.stateBefore(events).processes().stream().filter(q -> q.pid() == pid).findFirst()
                    .orElseThrow(() -> new AssertionError("no process " + pid + " before event " + events));
            assertThat(Snap.digest(p.memory())).as("pid %d before event %d", pid, events).isEqualTo(f[2]);
        }
        assertThat(rec.problem()).isEmpty();
        assertThat(rec.firstDeparture()).isEmpty();
    }

    @Test
    void largeBlocksAreMmappedChunksAndRaiseTheThreshold() throws Exception {
        Path out = dir.resolve("mmap.timeline");
        Run r = run(javaWithAgent("out=" + out, userCp(), Faults.class.getName(), "mmap"));
        assertThat(r.status()).isZero();
        Timeline t = Timeline.read(out);
        // the first malloc also sets up the heap and allocates the tcache from it, as glibc does
        assertThat(kinds(t, t.callOfStep(1), t.endOfStep(2))).isEqualTo("call:malloc syscall:sbrk syscall:sbrk top_extend "
                + "split syscall:mmap mmap_chunk return:malloc "
                + "call:free threshold threshold munmap_chunk syscall:munmap return:free");
        Event mmapped = t.event(t.callOfStep(2) - 2);
        assertThat(mmapped.kind()).isEqualTo(EventKind.MMAP_CHUNK);
        assertThat(mmapped.size()).isEqualTo(0x31000);
        Event mmapThreshold = t.event(t.callOfStep(2) + 1);
        assertThat(mmapThreshold.thresholdName()).isEqualTo("mmap");
        assertThat(mmapThreshold.oldValue()).isEqualTo(128 * 1024);
        assertThat(mmapThreshold.newValue()).isEqualTo(0x31000);
        Event trimThreshold = t.event(t.callOfStep(2) + 2);
        assertThat(trimThreshold.thresholdName()).isEqualTo("trim");
        assertThat(trimThreshold.newValue()).isEqualTo(2 * 0x31000);
        // the second block is below the new threshold: it comes from the heap
        assertThat(kinds(t, t.callOfStep(3), t.endOfStep(3))).doesNotContain("mmap_chunk");
    }

    @Test
    void aProgramsOwnAbortIsRecordedAtTopLevel() throws Exception {
        Path out = dir.resolve("assert.timeline");
        Run r = run(javaWithAgent("out=" + out, userCp(), Faults.class.getName(), "assert"));
        assertThat(r.status()).isEqualTo(134);
        Timeline t = Timeline.read(out);
        Event last = t.event(t.size() - 1);
        assertThat(last.kind()).isEqualTo(EventKind.ABORT);
        assertThat(last.depth()).isZero();
        assertThat(last.message()).startsWith("faults: Faults.java:").endsWith(": Assertion `a == NULL' failed.");
        assertThat(r.stderr()).contains(last.message());
        // the assert message and the shell's line were printed before the abort is recorded at run's end
        assertThat(t.outputOfStep(t.steps())).extracting(ProgramOutput::text)
                .containsExactly(last.message() + "\nAborted\n");
    }
}
