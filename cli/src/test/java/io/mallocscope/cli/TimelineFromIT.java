package io.mallocscope.cli;

import io.mallocscope.cli.explain.Narrator;
import io.mallocscope.cli.explain.StoryCheckpoints;
import io.mallocscope.cli.explain.Telling;
import io.mallocscope.cli.explore.Explorer;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.timeline.Checkpoints;
import io.mallocscope.runtime.timeline.Timeline;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code timeline FILE --from N} prints exactly the lines a whole {@code timeline FILE} prints from call N
 * on, whether its story starts from a state its story side file ({@link StoryCheckpoints}) saved or
 * follows every call from step 1: on a long replay (whose side file the first {@code --from} writes)
 * and on a C program whose narration names variables, a thread's calls and a forked child's, with a
 * side file saved every few steps so that N falls on, just after and between saved states.
 */
class TimelineFromIT {
    static final Path DIR = Path.of("target/it");

    @BeforeAll
    static void jars() throws IOException {
        assumeTrue(Files.isRegularFile(Home.samplesJar()), "the samples jar is not built: " + Home.samplesJar());
        assumeTrue(Home.agentJar().isPresent(), "the agent jar is not built (or has no Premain-Class)");
        Files.createDirectories(DIR);
    }

    /** The lines of a whole timeline from call {@code n}'s heading on (to call {@code to}'s last line when > 0). */
    static String from(String whole, int n, int to) {
        int at = whole.indexOf("\n#" + n + " ");
        assertThat(at).as("call #%d in the whole timeline", n).isGreaterThanOrEqualTo(0);
        String tail = whole.substring(at + 1);
        if (to > 0) {
            int end = tail.indexOf("\n#" + (to + 1) + " ");
            return end < 0 ? tail : tail.substring(0, end + 1);
        }
        return tail;
    }

    @Test
    void aLongReplaysFromNIsTheWholeTimelinesTailAndWritesTheStorySideFileOnce() throws IOException {
        StringBuilder trace = new StringBuilder();
        Random rnd = new Random(16);
        List<Integer> live = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < 9300; i++) {
            if (live.isEmpty() || (live.size() < 300 && rnd.nextInt(100) < 55)) {
                trace.append("a ").append(next).append(' ').append(8 + rnd.nextInt(rnd.nextInt(8) == 0 ? 3000 : 400))
                        .append('\n');
                live.add(next++);
            } else {
                trace.append("f ").append(live.remove(rnd.nextInt(live.size()))).append('\n');
            }
        }
        Path rep = DIR.resolve("from.rep");
        Files.writeString(rep, trace);
        Path timeline = DIR.resolve("from.timeline");
        Files.deleteIfExists(Checkpoints.sideFile(timeline));
        Files.deleteIfExists(StoryCheckpoints.sideFile(timeline));
        CliRun.Result r = run("run", "--view", "none", "--out", timeline.toString(), "replay", rep.toString());
        assertThat(r.status()).isZero();
        int steps = Timeline.read(timeline).steps();
        assertThat(steps).isGreaterThanOrEqualTo(Checkpoints.WORTH_IT);

        CliRun.Result whole = run("timeline", timeline.toString(), "--color=never");
        assertThat(whole.status()).isZero();
        CliRun.Result late = run("timeline", timeline.toString(), "--color=never", "--from", "9000");
        int every = Checkpoints.DEFAULT_EVERY;
        assertThat(late.err()).as("the process's checkpoints, then the story's").isEqualTo("mallocscope: wrote "
                + Checkpoints.sideFile(timeline) + " (" + steps / every + " checkpoints, one every " + every + " steps): "
                + "views of any step of from.timeline now start from the nearest one\n"
                + "mallocscope: wrote " + StoryCheckpoints.sideFile(timeline)
                + " (the story's state after every " + every + " steps, " + steps / every + " of them): timeline "
                + "from.timeline --from N now starts telling from the nearest one\n");
        assertThat(late.out()).isEqualTo(from(whole.out(), 9000, 0));
        for (int n : new int[] {2, every, every + 1, 2 * every + 17, 8 * every, steps}) {
            CliRun.Result part = run("timeline", timeline.toString(), "--color=never", "--from", "" + n, "--to",
                    "" + Math.min(steps, n + 40));
            assertThat(part.err()).as("--from %d: the side file is there", n).isEmpty();
            assertThat(part.out()).as("--from %d", n).isEqualTo(from(whole.out(), n, Math.min(steps, n + 40)));
        }
        // a filter: the first call shown comes after calls skipped, whose chunks the story still names
        CliRun.Result frees = run("timeline", timeline.toString(), "--color=never", "--from", "5000", "--fn", "free");
        String allFrees = run("timeline", timeline.toString(), "--color=never", "--fn", "free").out();
        assertThat(frees.err()).isEmpty();
        assertThat(frees.out()).isNotEmpty().isEqualTo(fromFirstAtLeast(allFrees, 5000));

        // saved states damaged where only restoring finds it (the index is intact): written again once
        Path story = StoryCheckpoints.sideFile(timeline);
        byte[] bytes = Files.readAllBytes(story);
        long index = java.nio.ByteBuffer.wrap(bytes, bytes.length - 24, 8).getLong();
        for (int at = 16; at < index; at += 97) {
            bytes[at] ^= (byte) 0x5a;
        }
        Files.write(story, bytes);
        CliRun.Result damaged = run("timeline", timeline.toString(), "--color=never", "--from", "" + steps);
        assertThat(damaged.err()).as("said, then written again").contains("is damaged (")
                .contains("writing it again").contains("mallocscope: wrote " + story);
        assertThat(damaged.out()).isEqualTo(from(whole.out(), steps, 0));
        CliRun.Result after = run("timeline", timeline.toString(), "--color=never", "--from", "" + steps);
        assertThat(after.err()).as("the side file written again is used").isEmpty();
        assertThat(after.out()).isEqualTo(damaged.out());

        // a side file of an older version (version 1 stored the narration's names beside the story's): written again, said so
        bytes = Files.readAllBytes(story);
        assertThat(bytes[8]).as("the version written").isEqualTo((byte) 3);
        bytes[8] = 1;
        Files.write(story, bytes);
        CliRun.Result older = run("timeline", timeline.toString(), "--color=never", "--from", "9000");
        assertThat(older.err()).isEqualTo("mallocscope: wrote " + story + " (the story's state after every " + every
                + " steps, " + steps / every + " of them, replacing one written by another version of mallocscope): "
                + "timeline from.timeline --from N now starts telling from the nearest one\n");
        assertThat(older.out()).isEqualTo(late.out());
        assertThat(Files.readAllBytes(story)[8]).isEqualTo((byte) 3);
    }

    /** The lines of a timeline from the first call numbered {@code n} or more on. */
    static String fromFirstAtLeast(String text, int n) {
        for (int i = 0; i < text.length(); i = text.indexOf('\n', i) + 1) {
            if (text.startsWith("#", i) && Integer.parseInt(text.substring(i + 1, text.indexOf(' ', i))) >= n) {
                return text.substring(i);
            }
            if (text.indexOf('\n', i) < 0) {
                break;
            }
        }
        return "";
    }

    /** The lines told under call {@code n}'s heading, without their indentation. */
    static List<String> toldUnder(String text, int n) {
        List<String> out = new ArrayList<>();
        String[] lines = from(text, n, n).split("\n");
        for (int i = 1; i < lines.length; i++) {
            out.add(lines[i].substring(4));
        }
        return out;
    }

    /** The numbers of the calls whose heading's {@code [who]} contains {@code who}. */
    static List<Integer> callsOf(String text, String who) {
        List<Integer> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (line.startsWith("#") && space > 0 && line.startsWith("[", space + 1)
                    && line.substring(space + 1, line.indexOf(']', space)).contains(who)) {
                out.add(Integer.parseInt(line.substring(1, space)));
            }
        }
        return out;
    }

    /**
     * A C program with variables, a thread's calls, a forked child's, program writes into metadata (a
     * size word, a freed chunk's tcache key) and a double free that hands one chunk out twice.
     */
    @Test
    void aCProgramsNamesThreadsAndChildAreToldTheSameFromAnySavedState() throws IOException {
        Path src = DIR.resolve("fromnames.c");
        Files.writeString(src, "#include <pthread.h>\n#include <stdlib.h>\n#include <unistd.h>\n#include <sys/wait.h>\n"
                + "static void *work(void *arg) {\n"
                + "    long *p = malloc(40);\n"
                + "    p[1] = 0x41;\n"
                + "    for (int i = 0; i < 120; i++) {\n"
                + "        char *q = malloc(16 + i % 200);\n"
                + "        free(q);\n"
                + "    }\n"
                + "    free(p);\n"
                + "    return arg;\n"
                + "}\n"
                + "int main(void) {\n"
                + "    char *keep[64];\n"
                + "    for (int i = 0; i < 64; i++)\n"
                + "        keep[i] = malloc(24 + (i % 8) * 16);\n"
                + "    for (int r = 0; r < 8; r++) {\n"
                + "        for (int i = 0; i < 64; i += 2) {\n"
                + "            free(keep[i]);\n"
                + "            keep[i] = malloc(24 + ((i + r) % 12) * 16);\n"
                + "        }\n"
                + "        long *big = malloc(0x500);\n"
                + "        long *g = malloc(24);\n"
                + "        free(big);\n"
                + "        g[-1] = 0x21;\n"
                + "        free(g);\n"
                + "    }\n"
                + "    long *x = malloc(40);\n"
                + "    free(x);\n"
                + "    x[1] = 0;\n"
                + "    free(x);\n"
                + "    long *a = malloc(40);\n"
                + "    long *b = malloc(40);\n"
                + "    a[0] = 1;\n"
                + "    void *al[40];\n"
                + "    for (int i = 0; i < 40; i++)\n"
                + "        posix_memalign(&al[i], 64, 24 + i * 8);\n"
                + "    for (int i = 0; i < 40; i += 2)\n"
                + "        free(al[i]);\n"
                + "    long *m = al[3];\n"
                + "    m[-1] = m[-1];\n"
                + "    pthread_t t;\n"
                + "    pthread_create(&t, NULL, work, NULL);\n"
                + "    pthread_join(t, NULL);\n"
                + "    pid_t pid = fork();\n"
                + "    if (pid == 0) {\n"
                + "        for (int i = 0; i < 64; i += 3) {\n"
                + "            free(keep[i]);\n"
                + "            keep[i] = malloc(100);\n"
                + "        }\n"
                + "        long *c = malloc(40);\n"
                + "        c[1] = 1;\n"
                + "        free(c);\n"
                + "        _exit(0);\n"
                + "    }\n"
                + "    int st;\n"
                + "    waitpid(pid, &st, 0);\n"
                + "    for (int i = 1; i < 64; i += 2)\n"
                + "        free(keep[i]);\n"
                + "    long *d = malloc(40);\n"
                + "    d[-1] = 0x31;\n"
                + "    free(d);\n"
                + "    return b == a ? 0 : 1;\n"
                + "}\n");
        Path timeline = DIR.resolve("fromnames.timeline");
        CliRun.Result r = run("run", "--view", "none", "--out", timeline.toString(), src.toString());
        assertThat(r.err()).doesNotContain("internal error");
        assertThat(r.status()).as("the double free hands one chunk out twice").isZero();
        Files.deleteIfExists(StoryCheckpoints.sideFile(timeline));
        Timeline t = Timeline.read(timeline);
        int steps = t.steps();
        assertThat(steps).isGreaterThan(700);
        for (String writes : new String[] {"metadata", "all"}) {
            String whole = run("timeline", timeline.toString(), "--color=never", "--writes", writes).out();
            assertThat(whole).as("the story names variables, the thread and the child")
                    .contains("→ p\n").contains("[pid 2 t1] ").contains("[pid 3 ")
                    .contains(" again: call #").contains("program wrote 0x0 into x->key (tcache)")
                    .contains("program wrote 0x31 into d->size")
                    // a posix_memalign's chunk: named by the narration only (the story's calls name no chunk there)
                    .contains("program wrote 0x41 into #617's size (0x");
            // followed from step 1 (no side file), then from states saved every 23 steps
            List<Integer> ns = new ArrayList<>(List.of(2, 3, 23, 24, 25, 46, 47, 200, steps / 2, steps - 1, steps));
            // the write into the posix_memalign'd chunk, told from states saved before it and after its call
            String pm = "program wrote 0x41 into #617's size (0x";
            int pmStep = Integer.parseInt(whole.substring(whole.lastIndexOf("\n#", whole.indexOf(pm)) + 2,
                    whole.indexOf(' ', whole.lastIndexOf("\n#", whole.indexOf(pm)))));
            assertThat(pmStep).isGreaterThan(617 + 23);
            ns.addAll(List.of(pmStep, pmStep - 1, 618, 640));
            List<Integer> thread = callsOf(whole, "t1");
            List<Integer> child = callsOf(whole, "pid 3");
            assertThat(thread).hasSizeGreaterThan(200);
            assertThat(child).hasSizeGreaterThan(20);
            for (List<Integer> some : List.of(thread, child)) {
                for (int i = 0; i < some.size(); i += 11) {
                    ns.add(some.get(i));
                }
                ns.add(some.get(some.size() - 1));
            }
            for (int n : ns.subList(0, 6)) {
                assertThat(run("timeline", timeline.toString(), "--color=never", "--writes", writes, "--from", "" + n)
                        .out()).as("--from %d followed from step 1 (--writes %s)", n, writes).isEqualTo(from(whole, n, 0));
            }
            StateSource s = Sources.open(timeline, new Sources.ReplaySettings("2.36", ""));
            assertThat(StoryCheckpoints.write(timeline, t, s.ops(), 23)).isEqualTo(steps / 23);
            for (int n : ns) {
                Telling told = Telling.from(Sources.open(timeline, new Sources.ReplaySettings("2.36", "")), timeline,
                        Narrator.Writes.valueOf(writes), n, line -> {
                            throw new AssertionError(line);
                        });
                assertThat(told.after()).as("--from %d starts after the state saved last before it", n)
                        .isEqualTo((n - 1) / 23 * 23);
                CliRun.Result part = run("timeline", timeline.toString(), "--color=never", "--writes", writes,
                        "--from", "" + n, "--to", "" + Math.min(steps, n + 30));
                assertThat(part.err()).isEmpty();
                assertThat(part.out()).as("--from %d (--writes %s)", n, writes)
                        .isEqualTo(from(whole, n, Math.min(steps, n + 30)));
            }
            if (writes.equals("metadata")) {
                // explore's narration pane: a jump far ahead, then back, tells the step as timeline does
                Explorer e = new Explorer(Sources.open(timeline, new Sources.ReplaySettings("2.36", "")), 2, timeline);
                List<Integer> jumps = new ArrayList<>(ns);
                java.util.Collections.shuffle(jumps, new Random(16));
                for (int n : jumps) {
                    e.go(n);
                    assertThat(e.narration()).as("explore at %d", n).isEqualTo(toldUnder(whole, n));
                }
            }
        }
    }
}
