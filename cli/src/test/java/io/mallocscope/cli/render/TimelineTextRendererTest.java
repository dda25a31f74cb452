package io.mallocscope.cli.render;

import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.testing.Approved;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.malloc.BinKind;
import io.mallocscope.runtime.timeline.Event;
import io.mallocscope.runtime.malloc.Transitions;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The story view, on a hand-written first_fit timeline (transitions as glibc 2.36 makes them). */
class TimelineTextRendererTest {
    static final long A = 0x555555559290L;
    static final long B = 0x5555555597b0L;
    static final long TOP0 = 0x555555559000L;

    static List<Op> firstFit() {
        return List.of(
                new Op(1, "malloc", List.of("0x512"), "0x5555555592a0", "FirstFit.java:31", A + 16, 0, List.of(
                        Event.transition(EventKind.TOP_EXTEND, 0, 0, TOP0, 0x21000),
                        Event.transition(EventKind.SPLIT, TOP0, 0x290, TOP0 + 0x290, 0x20d70),
                        Event.transition(EventKind.SPLIT, TOP0 + 0x290, 0x520, B, 0x20850))),
                new Op(2, "malloc", List.of("0x256"), "0x5555555597c0", "FirstFit.java:32", B + 16, 0, List.of(
                        Event.transition(EventKind.SPLIT, B, 0x260, B + 0x260, 0x205f0))),
                new Op(3, "free", List.of("0x5555555592a0"), null, "FirstFit.java:43", 0, A + 16, List.of(
                        Event.transition(EventKind.BIN_INSERT, BinKind.UNSORTED, 1, A, 0x520, Transitions.FREE))),
                new Op(4, "malloc", List.of("0x1fa"), "0x5555555592a0", "FirstFit.java:47", A + 16, 0, List.of(
                        Event.transition(EventKind.BIN_REMOVE, BinKind.UNSORTED, 1, A, 0x520, Transitions.SORT),
                        Event.transition(EventKind.BIN_INSERT, BinKind.LARGEBIN, 68, A, 0x520, Transitions.SORT),
                        Event.transition(EventKind.BIN_REMOVE, BinKind.LARGEBIN, 68, A, 0x520, Transitions.BINMAP),
                        Event.transition(EventKind.SPLIT, A, 0x210, A + 0x210, 0x310),
                        Event.transition(EventKind.BIN_INSERT, BinKind.UNSORTED, 1, A + 0x210, 0x310, Transitions.SPLIT))));
    }

    static String render(List<Op> history, List<Op> ops) {
        StringWriter sw = new StringWriter();
        PrintWriter pw = new PrintWriter(sw);
        new TimelineTextRenderer().render(history, ops, pw, Style.PLAIN);
        pw.flush();
        return sw.toString();
    }

    @Test
    void tellsTheStoryAndNamesChunksByTheCallThatMadeThem() {
        String out = render(List.of(), firstFit());
        assertThat(out).contains("#3 free(0x5555555592a0)   FirstFit.java:43\n"
                + "    unsortedbin: put 0x555555559290 (#1) (0x520) [free]\n");
        assertThat(out).contains("    unsortedbin: 0x555555559290 (#1) (0x520) moved to largebins[0x500-0x530]\n");
        Approved.verify("timeline-first-fit", out);
    }

    /**
     * The top chunk moves where glibc moves it: a free that merges into it (the merged chunk is the new
     * top), a realloc that grows into it (the remainder is), another arena's new heap (its own top beside
     * main's): the next carve from each is told as a split of the top (glibc 2.36's transitions).
     */
    @Test
    void theTopFollowsAMergeIntoItAReallocIntoItAndAnotherArenasHeap() {
        long t1 = TOP0 + 0x290;
        long b = t1 + 0x510;
        long thread = 0x7ffff00008d0L;
        List<Op> ops = List.of(
                new Op(1, "malloc", List.of("0x500"), "0x5555555592a0", null, t1 + 16, 0, List.of(
                        Event.transition(EventKind.TOP_EXTEND, 0, 0, TOP0, 0x21000),
                        Event.transition(EventKind.SPLIT, TOP0, 0x290, t1, 0x20d70),
                        Event.transition(EventKind.SPLIT, t1, 0x510, b, 0x20860))),
                new Op(2, "free", List.of("0x5555555592a0"), null, null, 0, t1 + 16, List.of(
                        Event.transition(EventKind.COALESCE, t1, 0x510, b, 0x20860, t1, 0x20d70))),
                new Op(3, "malloc", List.of("0x100"), "0x5555555592a0", null, t1 + 16, 0, List.of(
                        Event.transition(EventKind.SPLIT, t1, 0x110, t1 + 0x110, 0x20c60))),
                new Op(4, "realloc", List.of("0x5555555592a0", "0x300"), "0x5555555592a0", null, t1 + 16, 0, List.of(
                        Event.transition(EventKind.SPLIT, t1, 0x310, t1 + 0x310, 0x20a60))),
                new Op(5, "malloc", List.of("0x20"), "0x5555555595b0", null, t1 + 0x310 + 16, 0, List.of(
                        Event.transition(EventKind.SPLIT, t1 + 0x310, 0x30, t1 + 0x340, 0x20a30))),
                new Op(6, "malloc", List.of("0x20"), "0x7ffff0000b70", null, thread + 0x290 + 16, 0, List.of(
                        Event.transition(EventKind.TOP_EXTEND, 0, 0, thread, 0x20730),
                        Event.transition(EventKind.SPLIT, thread, 0x290, thread + 0x290, 0x204a0))),
                new Op(7, "malloc", List.of("0x20"), "0x555555559900", null, t1 + 0x340 + 16, 0, List.of(
                        Event.transition(EventKind.SPLIT, t1 + 0x340, 0x30, t1 + 0x370, 0x20a00))));
        String out = render(List.of(), ops);
        assertThat(out).contains("#3 malloc(0x100) = 0x5555555592a0\n"
                + "    top: split 0x110 off, top now 0x5555555593a0 size 0x20c60\n");
        assertThat(out).contains("#4 realloc(0x5555555592a0, 0x300) = 0x5555555592a0\n"
                + "    split 0x555555559290 (#3): 0x310 used, remainder 0x5555555595a0 size 0x20a60\n");
        assertThat(out).contains("#5 malloc(0x20) = 0x5555555595b0\n"
                + "    top: split 0x30 off, top now 0x5555555595d0 size 0x20a30\n");
        assertThat(out).contains("    top: split 0x290 off for the tcache (tcache_perthread_struct), top now 0x7ffff0000b60 size 0x204a0\n");
        assertThat(out).contains("#7 malloc(0x20) = 0x555555559900\n"
                + "    top: split 0x30 off, top now 0x555555559600 size 0x20a00\n");
    }

    @Test
    void historyBeforeFromStillNamesChunks() {
        List<Op> all = firstFit();
        String out = render(all.subList(0, 3), all.subList(3, 4));
        assertThat(out).startsWith("#4 malloc(0x1fa) = 0x5555555592a0   FirstFit.java:47\n");
        assertThat(out).contains("split 0x555555559290 (#1): 0x210 used");
    }

    @Test
    void chromeTraceIsOneSlicePerCallWithNestedTransitions() {
        StringWriter sw = new StringWriter();
        new ChromeTraceRenderer().render(firstFit(), new PrintWriter(sw, true));
        String out = sw.toString();
        assertThat(out).startsWith("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
        assertThat(out).contains("{\"name\":\"free(0x5555555592a0)\",\"cat\":\"call\",\"ph\":\"X\",\"ts\":300,\"dur\":99");
        assertThat(out).contains("{\"name\":\"bin_insert\",\"cat\":\"transition\",\"ph\":\"X\",\"ts\":301,");
        assertThat(out.trim()).endsWith("]}");
    }

    @Test
    void chromeTraceEscapesACarriageReturnAsJsonDoes() {
        StringWriter sw = new StringWriter();
        Op abort = new Op(1, "free", List.of("0x5555555592a0"), "<SIGABRT>", null, 0, 0x5555555592a0L,
                List.of(), List.of("line one\r\nline two"));
        new ChromeTraceRenderer().render(List.of(abort), new PrintWriter(sw, true));
        assertThat(sw.toString()).contains("{\"name\":\"line one\\r\\nline two\",\"cat\":\"transition\"");
    }

    /**
     * A source with threads or processes: one track per thread, named as timeline names it ({@code t1},
     * {@code pid 3}, {@code pid 3 t1}): the thread is the track's tid (thread K is tid K + 1, so main stays
     * tid 1), the process its pid (a source with one process keeps pid 1), each named once by metadata
     * before its first slice; a call's transitions go on its track.
     */
    @Test
    void chromeTraceHasATrackPerThreadAndProcess() {
        List<Op> ops = List.of(
                new Op(1, "malloc", List.of("0x18"), "0x5555555592a0", null, 0x5555555592a0L, 0, List.of(), List.of("a"), "pid 2 t0"),
                new Op(2, "malloc", List.of("0x18"), "0x7ffff0000b70", null, 0x7ffff0000b70L, 0, List.of(), List.of("b"), "pid 2 t1"),
                new Op(3, "free", List.of("0x5555555592a0"), null, null, 0, 0x5555555592a0L, List.of(), List.of(), "pid 3 t0"),
                new Op(4, "free", List.of("0x7ffff0000b70"), null, null, 0, 0x7ffff0000b70L, List.of(), List.of(), "pid 2 t1"));
        StringWriter sw = new StringWriter();
        new ChromeTraceRenderer().render(ops, new PrintWriter(sw, true));
        List<Object> events = io.mallocscope.cli.testing.MiniJson.array(io.mallocscope.cli.testing.MiniJson.object(
                io.mallocscope.cli.testing.MiniJson.parse(sw.toString())).get("traceEvents"));
        List<String> seen = new java.util.ArrayList<>();
        for (Object o : events) {
            java.util.Map<String, Object> e = io.mallocscope.cli.testing.MiniJson.object(o);
            String args = String.valueOf(e.get("args"));
            seen.add(e.get("name") + "@" + e.get("pid") + "/" + e.get("tid") + (e.get("ph").equals("M") ? " " + args : ""));
        }
        assertThat(seen).containsExactly(
                "process_name@2/null {name=pid 2}",
                "thread_name@2/1 {name=pid 2 t0}",
                "malloc(0x18)@2/1", "a@2/1",
                "thread_name@2/2 {name=pid 2 t1}",
                "malloc(0x18)@2/2", "b@2/2",
                "process_name@3/null {name=pid 3}",
                "thread_name@3/1 {name=pid 3 t0}",
                "free(0x5555555592a0)@3/1",
                "free(0x7ffff0000b70)@2/2");
    }
}
