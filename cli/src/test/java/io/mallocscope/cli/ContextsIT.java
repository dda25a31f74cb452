package io.mallocscope.cli;

import io.mallocscope.cli.testing.Approved;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * #12, #13: the views of a recording with threads and of one with a forked child: {@code [t1]} and
 * {@code [pid 3]} in the timeline, {@code --thread}, {@code --arena}, {@code --pid}, the {@code arenas}
 * view, thread stacks and arena heaps in {@code maps}; bad values of the new options.
 */
class ContextsIT {
    static final Path DIR = Path.of("target/it/contexts");
    static Path threads;
    static Path fork;

    @BeforeAll
    static void record() throws Exception {
        assumeTrue(Home.agentJar().isPresent(), "the agent jar is not built (or has no Premain-Class)");
        assumeTrue(Files.isRegularFile(Home.samplesJar()), "the samples jar is not built: " + Home.samplesJar());
        Files.createDirectories(DIR);
        threads = DIR.resolve("threads.timeline");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + Home.agentJar().get() + "=out=" + threads.toAbsolutePath() + ",quiet",
                "-cp", System.getProperty("java.class.path"), ThreadsProgram.class.getName())
                .redirectErrorStream(true).redirectOutput(DIR.resolve("threads.out").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(DIR.resolve("threads.out"))).isZero();
        fork = DIR.resolve("malloc-after-fork.timeline");
        CliRun.Result r = run("run", "--out", fork.toString(), "--view", "none", "--color=never", "malloc-after-fork");
        assertThat(r.status()).as(r.err()).isZero();
    }

    static String ok(String... args) {
        CliRun.Result r = run(args);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        return r.out();
    }

    @Test
    void theTimelineNamesEachCallsThread() {
        String out = ok("timeline", threads.toString(), "--color=never");
        assertThat(out).contains("#1 [t0] malloc(0x18) = 0x5555555592a0").contains("#6 [t1] malloc(0x18) = 0x7ffff")
                .contains("] pthread_exit(");
        Approved.verify("timeline-threads-recorded", out);
    }

    @Test
    void heapBinsAndVisOfAThreadsArenaAndTcache() {
        // after step 9 thread 1 holds its own chunk and one of main's in its tcache
        String bins = ok("bins", threads.toString(), "--at", "9", "--arena", "1", "--thread", "1", "--color=never");
        assertThat(bins).contains("0x20 [  2]: 0x5555555592a0 —▸ 0x7ffff0000b70 ◂— 0");
        Approved.verify("bins-threads-arena-1-thread-1", bins);
        String heap = ok("heap", threads.toString(), "--arena", "1", "--color=never");
        assertThat(heap).contains("0x7ffff");
        Approved.verify("heap-threads-arena-1", heap);
        String vis = ok("vis", threads.toString(), "--arena", "1", "--thread", "2", "--color=never");
        Approved.verify("vis-threads-arena-1-thread-2", vis);
        // main's view is main_arena's with main's tcache, as before
        assertThat(ok("heap", threads.toString(), "--color=never")).isEqualTo(ok("heap", threads.toString(),
                "--arena", "0", "--thread", "0", "--color=never"));
    }

    @Test
    void arenasAndMaps() {
        String arenas = ok("arenas", threads.toString(), "--color=never");
        assertThat(arenas).contains("arena 0 (main_arena)").contains("heap 1 at 0x7ffff").contains("free_list");
        Approved.verify("arenas-threads", arenas);
        String maps = ok("maps", threads.toString(), "--color=never");
        assertThat(maps).contains("stack of thread 2 (t2)").contains("guard page of t2's stack")
                .contains("reserved (PROT_NONE)");
        Approved.verify("maps-threads", maps);
    }

    @Test
    void aForkedChildIsShownByItsPid() {
        String out = ok("timeline", fork.toString(), "--color=never");
        assertThat(out).contains("[pid 3] malloc(").contains("[pid 2] fork() = 3");
        Approved.verify("timeline-malloc-after-fork", out);
        // after step 5 the child has freed its copy of the parent's block; the parent's is still in use
        String child = ok("heap", fork.toString(), "--at", "5", "--pid", "3", "--color=never");
        assertThat(child).contains("Free chunk (tcachebins) | PREV_INUSE\nAddr: 0x555555559290");
        assertThat(ok("heap", fork.toString(), "--at", "5", "--color=never")).doesNotContain("Free chunk (tcache");
        Approved.verify("heap-malloc-after-fork-pid-3-at-5", child);
    }

    @Test
    void badValuesAreOneLineAndStatus2() {
        for (List<String> args : List.of(
                List.of("heap", threads.toString(), "--thread", "7"),
                List.of("bins", threads.toString(), "--arena", "9"),
                List.of("vis", threads.toString(), "--arena", "zz"),
                List.of("maps", threads.toString(), "--pid", "5"),
                List.of("arenas", fork.toString(), "--pid", "4"),
                List.of("heap", CliRun.trace("calloc-paths"), "--thread", "1"))) {
            CliRun.Result r = run(args.toArray(String[]::new));
            assertThat(r.status()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
            assertThat(r.err()).startsWith("mallocscope: --");
        }
        assertThat(run("heap", threads.toString(), "--thread", "7").err())
                .isEqualTo("mallocscope: --thread 7: process 2 has no such thread at step 13 (threads: 0, 2; 0 is the "
                        + "main thread)\n");
    }

    /** #12: diff takes --pid like the state views: the child's free of step 5 is the child's change alone. */
    @Test
    void diffOfAForkedChild() {
        String f = fork.toString();
        assertThat(ok("diff", f, "--at", "4", "--to", "5", "--pid", "3", "--color=never")).isEqualTo("""
                step 4 → step 5
                ← 0x555555559290 (0x20) in use → in tcachebins
                tcachebins[0x20]: +0x555555559290  (0 → 1)
                """);
        // the parent's heap did not change in the child's call
        assertThat(ok("diff", f, "--at", "4", "--to", "5", "--color=never")).isEqualTo("step 4 → step 5\nno change\n");
        CliRun.Result before = run("diff", f, "--at", "2", "--to", "3", "--pid", "3");
        assertThat(before.status()).isEqualTo(2);
        assertThat(before.err()).isEqualTo("mallocscope: --pid 3: no such process at step 2 (processes: 2; 2 is the program)\n");
    }
}
