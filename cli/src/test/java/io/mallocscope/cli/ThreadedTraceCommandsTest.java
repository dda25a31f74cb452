package io.mallocscope.cli;

import io.mallocscope.cli.testing.Approved;
import io.mallocscope.cli.testing.RuntimeTraces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.mallocscope.cli.CliRun.run;
import static io.mallocscope.cli.ViewCommandsTest.headers;
import static io.mallocscope.cli.ViewCommandsTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commands on a trace with thread lines (runtime's traces-threads, whose outputs on real glibc are
 * golden-threads): each view opens it, with --thread and --arena, as it opens a recorded threaded program.
 */
class ThreadedTraceCommandsTest {
    static String threaded(String name) {
        return RuntimeTraces.threadedTraces().resolve(name + ".rep").toString();
    }

    static final String REUSE = threaded("arena-reuse");
    static final String CROSS = threaded("cross-free");

    @Test
    void timelineNamesEachCallsThread() {
        String out = ok(run("timeline", REUSE));
        assertThat(headers(out)).startsWith("#1 [t0] malloc(0x18) = 0x5555555592a0\n"
                + "#2 [t0] pthread_create(0x7fffffffc380, 0x800000, 0x1000) = 0\n"
                + "#3 [t1] malloc(0x18) = 0x7ffff0000b70\n");
        // X 1: thread 1's exit frees its tcache (the arena goes on the free list); T 4 reuses arena 1
        assertThat(headers(out)).contains("#13 [t3] sched_switch_to(0x7ffff7dd2740)\n#14 [t1] pthread_exit(0x0)\n"
                + "#15 [t0] pthread_create(");
        // its exit flushes its tcache into its arena, told as the arena's changes
        assertThat(out).contains("#14 [t1] pthread_exit(0x0)\n    tcachebins[0x70]: -0x7ffff0000b80  (1 → 0)\n"
                + "    arena 0x7ffff0000030: ← 0x7ffff00008d0 (0x290) in use → in unsortedbin\n");
        Approved.verify("timeline-threads-trace", out);
    }

    @Test
    void aFreeIntoAnotherThreadsArenaIsToldAsThatArenasChange() {
        // thread 0's tcache holds 7 of thread 1's chunks: the 8th goes to arena 1's fastbin
        String out = ok(run("timeline", CROSS, "--from", "33", "--to", "33"));
        assertThat(out).isEqualTo("#33 [t0] free(0x7ffff0000c50)\n"
                + "    arena 0x7ffff0000030: ← 0x7ffff0000c40 (0x20) in use → in fastbins\n"
                + "    arena 0x7ffff0000030: fastbins[0x20]: +0x7ffff0000c40  (0 → 1)\n");
    }

    @Test
    void arenasListsEveryArenaAtAStep() {
        String out = ok(run("arenas", REUSE, "--at", "14"));
        // after X 1: arena 1 on the free list, no thread attached
        assertThat(out).contains("arena 0 (main_arena) at 0x7ffff7faac60\n").contains("arena 3 at 0x7ffff0000030\n")
                .contains("threads:          none\n  attached_threads: 0\n").endsWith("free_list 0x7ffff0000030 (arena 3)\n");
        Approved.verify("arenas-threads-trace-at-14", out);
    }

    @Test
    void binsAndHeapOfAThreadAndItsArena() {
        String bins = ok(run("bins", CROSS, "--thread", "1", "--arena", "1"));
        assertThat(bins).startsWith("tcachebins\n0x20 [  1]: 0x7ffff0000c70 ◂— 0\n");
        String heap = ok(run("heap", CROSS, "--arena", "1", "--at", "3"));
        assertThat(heap).contains("Allocated chunk | PREV_INUSE | NON_MAIN_ARENA\nAddr: 0x7ffff0000b60\nSize: 0x20 (with flag bits: 0x25)\n");
        String vis = ok(run("vis", CROSS, "--thread", "1", "--arena", "1", "--chunks", "2"));
        assertThat(vis).startsWith("0x7ffff00008d0\t0x0000000000000000\t0x0000000000000295\t");
        CliRun.Result none = run("bins", CROSS, "--thread", "1", "--at", "1");
        assertThat(none.status()).isEqualTo(2);
        assertThat(none.err()).isEqualTo("mallocscope: --thread 1: process 2 has no such thread at step 1 (threads: 0; 0 is the main thread)\n");
    }

    @Test
    void mapsShowTheThreadStacksAndTheArenasHeaps() {
        String out = ok(run("maps", CROSS));
        assertThat(out).contains("7ffff0000000-7ffff0021000 rw-p   132K  arena 1 heap (size 0x21000)\n")
                .contains("7ffff0021000-7ffff4000000 ---p 65404K  arena 1 heap: reserved (PROT_NONE)\n")
                .contains("guard page of t1's stack");
    }

    @Test
    void compareLinesUpTheVersionsAsTheThreadedHarnessPrintsThem() {
        String out = ok(run("compare", CROSS, "--glibc", "2.31,2.36"));
        assertThat(out).contains("    1  0: a 0 24      H+0x2a0 0x21     H+0x2a0 0x21\n")
                .contains("!   2  1: a 1 24      A1+0xb60 0x25    A1+0xb70 0x25\n");
    }

    @Test
    void thePageOfAThreadedTraceHasAStepPerLine(@TempDir Path dir) throws IOException {
        Path page = dir.resolve("reuse.html");
        CliRun.Result r = run("timeline", REUSE, "--format", "html", "--out", page.toString());
        assertThat(r.status()).isZero();
        String html = Files.readString(page);
        assertThat(html).contains("\"op\":\"[t1] malloc(0x18) = 0x7ffff0000b70\"")
                .contains("\"op\":\"[t1] pthread_exit(0x0)\"");
    }

    @Test
    void jsonLinesSayWhereTheThreadChanges() {
        String out = ok(run("timeline", REUSE, "--format", "jsonl"));
        assertThat(out).contains("{\"seq\":13,\"kind\":\"context\",\"depth\":0,\"pid\":2,\"thread\":1}\n");
        assertThat(out).doesNotContain("sched_switch_to");
    }

    /** chunk's step lines name the thread of each call as timeline's headers do: [t1] made it, [t0] freed it. */
    @Test
    void chunkNamesEachStepsThreadAsTimelineDoes() {
        String out = ok(run("chunk", CROSS, "0x7ffff0000c50", "--color=never"));
        assertThat(out).startsWith("chunk 0x7ffff0000c40 in " + CROSS + ": ")
                .contains("\n#10 [t1] malloc(0x18) = 0x7ffff0000c50\n")
                .contains("\n#33 [t0] free(0x7ffff0000c50)\n").contains("\n#51 [t1] malloc(0x18) = 0x7ffff0000c50\n");
        // every step line is the header timeline prints for that call
        String timeline = headers(ok(run("timeline", CROSS, "--color=never")));
        for (String line : out.split("\n")) {
            if (line.startsWith("#")) {
                assertThat(timeline).contains(line + "\n");
            }
        }
        // a source without threads keeps its lines as they were: no [t0]
        String plain = ok(run("chunk", io.mallocscope.cli.CliRun.trace("coalesce-backward-forward-top"), "0x5555555592a0",
                "--color=never"));
        assertThat(plain).doesNotContain("[t").contains("\n#1 malloc(");
    }

    /** The chrome export: a track per thread, named as timeline names it; each call on its thread's track. */
    @Test
    void chromeExportDrawsEachThreadOnItsOwnTrack() {
        String json = ok(run("timeline", REUSE, "--format", "chrome"));
        java.util.Map<Long, String> names = new java.util.TreeMap<>();
        java.util.Map<Long, String> whoOfStep = new java.util.HashMap<>();
        for (String h : headers(ok(run("timeline", REUSE, "--color=never"))).split("\n")) {
            // #13 [t3] sched_switch_to(…)
            whoOfStep.put(Long.parseLong(h.substring(1, h.indexOf(' '))), h.substring(h.indexOf('[') + 1, h.indexOf(']')));
        }
        int calls = 0;
        long tidOfCall = -1;
        for (Object o : io.mallocscope.cli.testing.MiniJson.array(io.mallocscope.cli.testing.MiniJson.object(
                io.mallocscope.cli.testing.MiniJson.parse(json)).get("traceEvents"))) {
            java.util.Map<String, Object> e = io.mallocscope.cli.testing.MiniJson.object(o);
            java.util.Map<String, Object> args = io.mallocscope.cli.testing.MiniJson.object(e.get("args"));
            assertThat(e.get("pid")).as("one process").isEqualTo(1L);
            long tid = (Long) e.get("tid");
            if (e.get("name").equals("thread_name")) {
                assertThat(names).as("each track is named once, before its first slice").doesNotContainKey(tid);
                names.put(tid, (String) args.get("name"));
            } else if (e.get("cat").equals("call")) {
                calls++;
                tidOfCall = tid;
                assertThat(names.get(tid)).as("step %s", args.get("step")).isEqualTo(whoOfStep.get((Long) args.get("step")));
            } else {
                assertThat(tid).as("a transition is on its call's track").isEqualTo(tidOfCall);
            }
        }
        assertThat(calls).isEqualTo(whoOfStep.size());
        // main is tid 1 as before; thread K is tid K + 1
        assertThat(names).containsEntry(1L, "t0").containsEntry(2L, "t1").containsEntry(4L, "t3");
        assertThat(json).contains("{\"name\":\"malloc(0x18)\",\"cat\":\"call\",\"ph\":\"X\",\"ts\":300,\"dur\":99,"
                + "\"pid\":1,\"tid\":2,\"args\":{\"step\":3,\"result\":\"0x7ffff0000b70\"}}");
    }

    @Test
    void replayAsTextAndItsStatsRunTheThreads() {
        assertThat(headers(ok(run("replay", REUSE, "--format", "text")))).isEqualTo(headers(ok(run("timeline", REUSE))));
        String stats = ok(run("replay", CROSS, "--stats"));
        assertThat(stats).startsWith("cross-free.rep: 60 calls\n").contains("peak live payload  0x1b4c (6988 bytes)\n");
    }

    /**
     * Thread 1 frees a chunk of the main heap into its tcache, main gives the heap back with sbrk, and
     * thread 1's exit (glibc's tcache_thread_shutdown) reads the freed chunk: the X line raises SIGSEGV.
     * The views show it on that line's call, as on an op's, and stop there; replay prints what
     * replay.c's process printed before it died.
     */
    @Test
    void aSignalInAThreadLineIsShownOnItsCallAsAnOpsIs(@TempDir Path dir) throws IOException {
        Path onExit = dir.resolve("segv.rep");
        Files.writeString(onExit, "a 1 24\nT 1\nf 1\nT 0\ns -135168\nT 1\nX 1\na 2 24\n");
        Path onOp = dir.resolve("segv-op.rep");
        Files.writeString(onOp, "a 1 24\nT 1\na 2 24\nT 0\ns -135168\na 3 24\nT 1\na 4 24\n");
        String segv = "<Segmentation fault: SIGSEGV: invalid read of 8 bytes at 0x5555555592a0 (address not mapped)>";
        String timeline = ok(run("timeline", onExit.toString(), "--color=never"));
        assertThat(headers(timeline)).isEqualTo("#1 [t0] malloc(0x18) = 0x5555555592a0\n"
                + "#2 [t0] pthread_create(0x7fffffffc380, 0x800000, 0x1000) = 0\n"
                + "#3 [t1] free(0x5555555592a0)\n"
                + "#4 [t1] sched_switch_to(0x7ffff7dd2740)\n"
                + "#5 [t0] sbrk(-135168) = 0x55555557a000\n"
                + "#6 [t0] sched_switch_to(0x7ffff7dcf6c0)\n"
                + "#7 [t1] pthread_exit() = " + segv + "\n");
        assertThat(headers(ok(run("timeline", onOp.toString(), "--color=never"))))
                .as("the op's signal, shown the same way").endsWith("#6 [t0] malloc() = <Segmentation fault: SIGSEGV: "
                        + "invalid read of 2 bytes at 0x555555559010 (address not mapped)>\n");
        CliRun.Result text = run("replay", onExit.toString(), "--format", "text");
        assertThat(headers(text.out())).isEqualTo(headers(timeline));
        assertThat(text.status()).as("the harness's status, as for an op's signal").isEqualTo(128 + 11)
                .isEqualTo(run("replay", onOp.toString(), "--format", "text").status());
        for (String view : new String[] {"heap", "bins", "arenas", "maps"}) {
            CliRun.Result exit = run(view, onExit.toString());
            CliRun.Result op = run(view, onOp.toString());
            assertThat(exit.err()).as(view).isEmpty();
            assertThat(exit.status()).as(view).isZero().isEqualTo(op.status());
        }
        assertThat(ok(run("bins", onExit.toString(), "--thread", "1", "--at", "4"))).as("the steps before it stay")
                .startsWith("tcachebins\n0x20 [  1]: 0x5555555592a0 ◂— 0\n");

        String compare = ok(run("compare", onExit.toString(), "--glibc", "2.31,2.36"));
        String fault = "segfault: SIGSEGV: invalid read of 8 bytes at 0x5555555592a0 (address not mapped)";
        assertThat(compare).as("no later op ran, and the exit was never reached")
                .contains("  3  0: s -135168   H+0x21000 ")
                .containsPattern("\n  4  0: a 2 24      — +—\n")
                .containsPattern("\n     break at exit  " + java.util.regex.Pattern.quote(fault) + " +"
                        + java.util.regex.Pattern.quote(fault) + "\n")
                .contains("no divergence: 2.31, 2.36 agree on the 3 ops that ran; every version stopped before the other 1\n");

        CliRun.Result offsets = run("replay", onExit.toString(), "--format", "offsets");
        assertThat(offsets.status()).isEqualTo(128 + 11);
        assertThat(offsets.out()).isEqualTo("0: a 1 H+0x2a0 0x21\n0: s H+0x21000\n");
        assertThat(offsets.err()).isEqualTo("Segmentation fault (invalid read of 8 bytes at 0x5555555592a0 (address not mapped))\n");
    }

    @Test
    void aThreadLineTheRunCannotFollowIsOneLine(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.rep");
        Files.writeString(bad, "a 0 24\nT 1\na 1 24\nX 2\n");
        CliRun.Result r = run("heap", bad.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mallocscope: " + bad + ":4: X of a thread that is not running\n");
    }
}
