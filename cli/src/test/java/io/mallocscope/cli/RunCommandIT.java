package io.mallocscope.cli;

import io.mallocscope.cli.html.HtmlModel;
import io.mallocscope.cli.html.HtmlModels;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.cli.testing.Approved;
import io.mallocscope.runtime.timeline.Timeline;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code run} for real: a forked JVM with the samples jar under the recording agent, then the views
 * on the timeline it recorded. Needs the reactor's jars ({@code ./mvnw verify} builds them first).
 */
class RunCommandIT {
    static final Path DIR = Path.of("target/it");
    static final Path FIRST_FIT = DIR.resolve("first-fit.timeline");
    static CliRun.Result firstFit;

    @BeforeAll
    static void recordFirstFit() throws IOException {
        assumeTrue(Files.isRegularFile(Home.samplesJar()), "the samples jar is not built: " + Home.samplesJar());
        assumeTrue(Home.agentJar().isPresent(), "the agent jar is not built (or has no Premain-Class)");
        Files.createDirectories(DIR);
        firstFit = run("run", "--out", FIRST_FIT.toString(), "--color=never", "first-fit");
    }

    @Test
    void firstFitTellsTheStoryAndEndsWithTheProgramsStatus() {
        assertThat(firstFit.status()).isZero();
        assertThat(firstFit.err()).contains("3rd malloc(0x500): 0x5555555592a0\n");
        assertThat(firstFit.out()).contains("#3 free(0x5555555592a0)   FirstFit.java:");
        assertThat(firstFit.out()).contains("    unsortedbin: put 0x555555559290 (#1) (0x520) [free]\n");
        assertThat(firstFit.out()).contains("    unsortedbin: 0x555555559290 (#1) (0x520) moved to largebins[0x500-0x530]\n");
        // a small request served from a larger bin: glibc's binmap scan, not the large-bin best fit
        assertThat(firstFit.out()).contains("    largebins[0x500-0x530]: took 0x555555559290 (#1) (0x520) [binmap scan]\n");
        // the launcher script sets mallocscope.home, and so does the build for these tests
        assertThat(firstFit.out()).endsWith("Look closer: ./mallocscope heap|bins|vis " + FIRST_FIT + " --at N\n");
        Approved.verify("run-first-fit", firstFit.out());
    }

    @Test
    void aCFileRunsInTheCFrontEndAndIsRecordedWithItsOwnLinesAsCallSites() throws IOException {
        Path src = DIR.resolve("uaf.c");
        Files.writeString(src, "#include <stdio.h>\n#include <stdlib.h>\n"
                + "int main(void) {\n  char *a = malloc(0x512);\n  free(a);\n  char *c = malloc(506);\n"
                + "  printf(\"%p %p\\n\", (void *)a, (void *)c);\n  return a == c ? 0 : 1;\n}\n");
        Path timeline = DIR.resolve("uaf.timeline");
        CliRun.Result r = run("run", "--color=never", "--out", timeline.toString(), src.toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("0x5555555592a0 0x5555555592a0\n");
        assertThat(r.out()).as("the site names the variable the pointer went to")
                .contains("#1 malloc(0x512) = 0x5555555592a0   uaf.c:4 → a\n")
                .contains("#2 free(0x5555555592a0)   uaf.c:5\n")
                .contains("#3 malloc(0x1fa) = 0x5555555592a0   uaf.c:6 → c\n")
                .as("printf's first output mallocs stdout's buffer: printf's line")
                .contains("#4 malloc(0x1000) = 0x5555555594b0   uaf.c:7\n");
        assertThat(r.out()).as("no interpreter frames as call sites").doesNotContain(".java:");

        // the views and the page read the C program's timeline like any other
        CliRun.Result text = run("timeline", timeline.toString());
        assertThat(text.status()).isZero();
        assertThat(text.out()).contains("#2 free(0x5555555592a0)   uaf.c:5\n");
        CliRun.Result chunk = run("chunk", timeline.toString(), "0x5555555592a0");
        assertThat(chunk.out()).contains("#3 malloc(0x1fa) = 0x5555555592a0   uaf.c:6 → c\n");
        CliRun.Result heap = run("heap", timeline.toString(), "--at", "1");
        assertThat(heap.out()).contains("Addr: 0x555555559290\nSize: 0x520 (with flag bits: 0x521)\n");
        CliRun.Result vis = run("vis", timeline.toString());
        assertThat(vis.out()).as("stdout's buffer holds what printf wrote, as gdb would show it")
                .contains("0x5555555594b0\t0x3535353535357830\t0x3020306132393535\t0x5555555592a0 0");
        CliRun.Result html = run("timeline", timeline.toString(), "--format", "html");
        assertThat(html.status()).isZero();
        assertThat(html.out()).contains("\"op\":\"malloc(0x512) = 0x5555555592a0\",\"site\":\"uaf.c:4 → a\"");
    }

    @Test
    void everyAllocationALibraryCallMakesHasTheCallsLine() throws IOException {
        // getline mallocs its line, then the stream's buffer; fclose frees the buffer, then the FILE
        Path src = DIR.resolve("getline.c");
        Files.writeString(src, "#include <stdio.h>\n#include <stdlib.h>\nint main(void) {\n"
                + "  FILE *f = fopen(\"/proc/self/maps\", \"r\");\n  char *line = NULL;\n  size_t cap = 0;\n"
                + "  getline(&line, &cap, f);\n  fclose(f);\n  free(line);\n  return 0;\n}\n");
        CliRun.Result r = run("run", "--color=never", "--out", DIR.resolve("getline.timeline").toString(), src.toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("#1 malloc(0x1d8) = 0x5555555592a0   getline.c:4 → f\n")
                .contains("#2 malloc(0x78) = 0x555555559480   getline.c:7\n")
                .contains("#3 malloc(0x400) = 0x555555559500   getline.c:7\n")
                .contains("#4 free(0x555555559500)   getline.c:8\n")
                .contains("#5 free(0x5555555592a0)   getline.c:8\n");
    }

    @Test
    void aCProgramWithLargeGlobalsIsShownWhereItRan() throws IOException {
        // 100 KB of .bss moves the heap up 25 pages, and on a kernel with [vvar_vclock] (detected for a C
        // program) mmapped chunks sit 0x2000 higher than in the default layout: the views must rebuild that process
        Path src = DIR.resolve("bigglobals.c");
        Files.writeString(src, "#include <stdio.h>\n#include <stdlib.h>\nstatic char table[100000];\n"
                + "int main(void) {\n  table[99999] = 1;\n  setbuf(stdout, NULL);\n  char *p = malloc(40);\n"
                + "  char *big = malloc(200000);\n  printf(\"%p %p\\n\", (void *)p, (void *)big);\n  free(p);\n  return 0;\n}\n");
        Path timeline = DIR.resolve("bigglobals.timeline");
        CliRun.Result r = run("run", "--color=never", "--view", "none", "--out", timeline.toString(), src.toString());
        assertThat(r.status()).isZero();
        String[] printed = r.out().lines().findFirst().orElseThrow().split(" ");
        long p = Long.decode(printed[0]);
        long big = Long.decode(printed[1]);
        assertThat(p).isEqualTo(0x5555555712a0L);

        CliRun.Result text = run("timeline", timeline.toString());
        assertThat(text.status()).isZero();
        assertThat(text.out()).doesNotContain("cannot tell").doesNotContain("not heap memory")
                .contains("mmapped chunk 0x" + Long.toHexString(big - 16) + " (0x31000)");
        CliRun.Result heap = run("heap", timeline.toString(), "--at", "2");
        assertThat(heap.out()).contains("Addr: 0x" + Long.toHexString(p - 16) + "\n")
                .contains("Addr: 0x" + Long.toHexString(big - 16) + "\nSize: 0x31000 (with flag bits: 0x31002)\n");
        CliRun.Result maps = run("maps", timeline.toString(), "--at", "2");
        assertThat(maps.out()).contains("555555571000-555555592000 rw-p   132K  heap")
                .as("each mapping named where this process has it").contains("program: .data and .bss")
                .contains("libc: .data (main_arena, mp_)").containsPattern("(TLS, libc \\.bss tail|\\+ TLS)\n")
                .doesNotContain("  anonymous                      [vvar_vclock]");
    }

    @Test
    void aCProgramsWritesAreRecordedAndNarratedWithItsVariables() throws IOException {
        Path src = DIR.resolve("poison.c");
        Files.writeString(src, "#include <stdlib.h>\n#include <stdint.h>\n"
                + "struct pair { intptr_t *first; void *second; };\n"
                + "int main(void) {\n"
                + "  struct pair p;\n"
                + "  p.first = (intptr_t *) malloc(0x18);\n"
                + "  intptr_t *b = malloc(0x18);\n"
                + "  void *ptrs[2];\n"
                + "  ptrs[1] = malloc(0x28);\n"
                + "  free(p.first);\n"
                + "  free(b);\n"
                + "  b[0] = 0x4141;\n"
                + "  int n = 0;\n"
                + "  for (int i = 0; i < 1000; i++) n += i;\n"
                + "  malloc(0x18);\n"
                + "  return n == 499500 ? 0 : 1;\n}\n");
        Path timeline = DIR.resolve("poison.timeline");
        CliRun.Result r = run("run", "--color=never", "--out", timeline.toString(), src.toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("#1 malloc(0x18) = 0x5555555592a0   poison.c:6 → p.first\n")
                .contains("#2 malloc(0x18) = 0x5555555592c0   poison.c:7 → b\n")
                .contains("#3 malloc(0x28) = 0x5555555592e0   poison.c:9 → ptrs[1]\n")
                .as("the program's store into the freed chunk is recorded, and the chunk named by its variable")
                .contains("    program wrote 0x4141 into b->next (tcache) (0x5555555592c0): decodes to 0x555551418 "
                        + "(was 0x5555555592a0)   poison.c:12\n")
                .contains("#6 malloc(0x18) = 0x5555555592c0   poison.c:15\n");
        assertThat(r.err()).as("a loop's counters are not writes the recording keeps").containsPattern(
                "timeline written to .* \\(\\d\\d events, ");
    }

    /**
     * #13, #15: a threaded C program's calls and writes each carry their own thread and line: main's
     * join at its own line (not the thread's last), and main's events after the join under main again
     * (the interpreter runs main on a Java thread of its own, not the one that made the process).
     */
    @Test
    void aThreadedCProgramsCallsAndWritesHaveTheirOwnThreadAndLine() throws IOException {
        Path src = DIR.resolve("thr.c");
        Files.writeString(src, "#include <pthread.h>\n#include <stdlib.h>\n#include <stdio.h>\n"
                + "static void *body(void *arg) {\n"
                + "    long *p = malloc(0x28);\n"
                + "    p[0] = 0x1111;\n"
                + "    free(p);\n"
                + "    printf(\"thread done\\n\");\n"
                + "    return NULL;\n"
                + "}\n"
                + "int main(void) {\n"
                + "    long *a = malloc(0x18);\n"
                + "    pthread_t t;\n"
                + "    pthread_create(&t, NULL, body, NULL);\n"
                + "    a[0] = 0x2222;\n"
                + "    pthread_join(t, NULL);\n"
                + "    a[1] = 0x3333;\n"
                + "    free(a);\n"
                + "    return 0;\n"
                + "}\n");
        Path timeline = DIR.resolve("thr.timeline");
        CliRun.Result r = run("run", "--color=never", "--view", "none", "--out", timeline.toString(), src.toString());
        assertThat(r.status()).as(r.err()).isZero();
        List<String> lines = run("timeline", timeline.toString(), "--writes", "all", "--color=never").out().lines()
                .filter(l -> l.startsWith("#") || l.contains("program wrote")).toList();
        assertThat(lines).containsExactly(
                "#1 [t0] malloc(0x18) = 0x5555555592a0   thr.c:12 → a",
                "#2 [t0] pthread_create(0x7fffffffed10, 0, 0x1000) = 0   thr.c:14",
                "    program wrote 8 bytes to 0x5555555592a0 (#1 (a)'s user data +0x0)   thr.c:15",
                "#3 [t1] malloc(0x28) = 0x7ffff0000b70   thr.c:5 → p",
                "    program wrote 8 bytes to 0x7ffff0000b70 (#3 (p)'s user data +0x0)   thr.c:6",
                "#4 [t1] free(0x7ffff0000b70)   thr.c:7",
                "#5 [t1] malloc(0x1000) = 0x7ffff0000ba0   thr.c:8",
                "    program wrote 12 bytes to 0x7ffff0000ba0 (#5's user data +0x0)   thr.c:8",
                "#6 [t1] pthread_exit(0)",
                "#7 [t0] pthread_join(0x7ffff7dd16c0, 0x0) = 0   thr.c:16",
                "    program wrote 8 bytes to 0x5555555592a8 (#1 (a)'s user data +0x8)   thr.c:17",
                "#8 [t0] free(0x5555555592a0)   thr.c:18");
    }

    @Test
    void aCTwinRunsByItsSampleName() {
        CliRun.Result r = run("run", "--view", "none", "--c", "first-fit");
        assertThat(r.status()).isZero();
        assertThat(r.err()).contains("3rd malloc(0x500): 0x5555555592a0\n");
        // a twin sample-programs checks against glibc, with its local header
        CliRun.Result words = run("run", "--view", "none", "--c", "word-frequency");
        assertThat(words.status()).isZero();
        assertThat(words.out()).startsWith("22 words, 14 distinct\n");
        // a twin that forks: the child goes on after fork() in C, recorded as its own process
        Path forked = DIR.resolve("malloc-after-fork-c.timeline");
        CliRun.Result fork = run("run", "--view", "none", "--out", forked.toString(), "--c", "malloc-after-fork");
        assertThat(fork.status()).isZero();
        assertThat(fork.out()).contains("child:  b = malloc(24) = heap+0x2c0\n")
                .contains("parent: b = malloc(24) = heap+0x2c0, the address the child's b had\n");
        CliRun.Result text = run("timeline", forked.toString(), "--color=never");
        assertThat(text.out()).containsPattern("\\[pid 2\\] fork\\(\\) = 3   malloc-after-fork.c:9\n")
                .containsPattern("\\[pid 3\\] malloc\\(0x18\\) = 0x[0-9a-f]+   malloc-after-fork.c:12 → b\n");
    }

    /**
     * A forked child's thread gets an arena the parent never had: its calls and writes are told from
     * the child's memory (the narration read the program's process for every pid, and crashed on the
     * arena's unmapped address there).
     */
    @Test
    void aForkedChildsThreadArenaIsNarratedFromTheChildsMemory() throws IOException {
        Path src = DIR.resolve("childthr.c");
        Files.writeString(src, "#include <pthread.h>\n#include <stdlib.h>\n#include <unistd.h>\n#include <sys/wait.h>\n"
                + "static void *work(void *arg) {\n"
                + "    long *p = malloc(40);\n"
                + "    p[1] = 0x41;\n"
                + "    free(p);\n"
                + "    p[1] = 0x42;\n"
                + "    return arg;\n"
                + "}\n"
                + "int main(void) {\n"
                + "    char *m = malloc(24);\n"
                + "    pid_t pid = fork();\n"
                + "    if (pid == 0) {\n"
                + "        pthread_t t;\n"
                + "        pthread_create(&t, NULL, work, NULL);\n"
                + "        pthread_join(t, NULL);\n"
                + "        _exit(0);\n"
                + "    }\n"
                + "    int st;\n"
                + "    waitpid(pid, &st, 0);\n"
                + "    free(m);\n"
                + "    return WEXITSTATUS(st);\n"
                + "}\n");
        Path timeline = DIR.resolve("childthr.timeline");
        CliRun.Result r = run("run", "--color=never", "--out", timeline.toString(), src.toString());
        assertThat(r.err()).doesNotContain("internal error");
        assertThat(r.status()).isZero();
        String child = "#4 [pid 3 t1] malloc(0x28) = 0x7ffff0000b70   childthr.c:6 → p\n"
                + "    kernel: mmap(0x0, 0x8000000, 0, 0x4022, -1, 0) = 0x7fffef5d1000\n"
                + "    kernel: munmap(0x7fffef5d1000, 0xa2f000) = 0\n"
                + "    kernel: munmap(0x7ffff4000000, 0x35d1000) = 0\n"
                + "    kernel: mprotect(0x7ffff0000000, 0x21000, 3) = 0\n"
                + "    top: created at 0x7ffff00008d0 size 0x20730 (the heap's first memory from the kernel)\n"
                + "    top: split 0x290 off for the tcache (tcache_perthread_struct), top now 0x7ffff0000b60 size 0x204a0\n"
                + "    top: split 0x30 off, top now 0x7ffff0000b90 size 0x20470\n"
                + "#5 [pid 3 t1] free(0x7ffff0000b70)   childthr.c:8\n"
                + "    tcachebins[0x30]: put 0x7ffff0000b60 (#4), now 1\n";
        assertThat(r.out()).contains(child).contains("#9 [pid 2 t0] free(0x5555555592a0)   childthr.c:23\n");

        CliRun.Result text = run("timeline", timeline.toString(), "--color=never", "--writes", "all");
        assertThat(text.err()).isEmpty();
        assertThat(text.status()).isZero();
        assertThat(text.out()).as("the writes land in the child's arena, a mapping only the child has")
                .contains("    program wrote 8 bytes to 0x7ffff0000b78 (#4 (p)'s user data +0x8)   childthr.c:7\n")
                .contains("    program wrote 8 bytes to 0x7ffff0000b78 (anonymous mapping)   childthr.c:9\n");
        CliRun.Result chunk = run("chunk", timeline.toString(), "0x7ffff0000b70", "--color=never");
        assertThat(chunk.err()).isEmpty();
        assertThat(chunk.status()).isZero();
        // each step line names the call's process and thread, as timeline's header does
        assertThat(chunk.out()).contains("#4 [pid 3 t1] malloc(0x28) = 0x7ffff0000b70   childthr.c:6 → p\n"
                + "    became the top chunk (0x204a0) when 0x7ffff00008d0 was split off\n"
                + "    created: cut from the top chunk (0x30)\n")
                .contains("#5 [pid 3 t1] free(0x7ffff0000b70)   childthr.c:8\n    freed into tcachebins[0x30] (now 1)\n");
    }

    /**
     * After a fork each process's narration follows its own heap: the child starts with the names, top
     * and live chunks of the parent at the fork, and its calls change only its own copy. The parent's
     * split of its top after the child split the same address reads "top: split" (it was told as a split
     * of the child's chunk "#5"), and its write into {@code a}, which only the child freed, lands in
     * {@code a}'s user data (it was told as "heap").
     */
    @Test
    void aForkedChildsCallsNameChunksInItsOwnCopyOfTheParentsNarration() throws IOException {
        Path src = DIR.resolve("forknames.c");
        Files.writeString(src, "#include <stdlib.h>\n#include <unistd.h>\n#include <sys/wait.h>\n"
                + "int main(void) {\n"
                + "    long *a = malloc(24);\n"
                + "    long *b = malloc(24);\n"
                + "    pid_t pid = fork();\n"
                + "    if (pid == 0) {\n"
                + "        free(a);\n"
                + "        long *c = malloc(40);\n"
                + "        c[1] = 1;\n"
                + "        b[1] = 2;\n"
                + "        free(c);\n"
                + "        _exit(0);\n"
                + "    }\n"
                + "    int st;\n"
                + "    waitpid(pid, &st, 0);\n"
                + "    long *d = malloc(40);\n"
                + "    d[1] = 3;\n"
                + "    a[1] = 4;\n"
                + "    free(d);\n"
                + "    free(b);\n"
                + "    return WEXITSTATUS(st);\n"
                + "}\n");
        Path timeline = DIR.resolve("forknames.timeline");
        CliRun.Result r = run("run", "--color=never", "--out", timeline.toString(), src.toString());
        assertThat(r.err()).doesNotContain("internal error");
        assertThat(r.status()).isZero();
        String child = "#3 [pid 2] fork() = 3   forknames.c:7\n"
                + "#4 [pid 3] free(0x5555555592a0)   forknames.c:9\n"
                + "    tcachebins[0x20]: put 0x555555559290 (#1), now 1\n"
                + "#5 [pid 3] malloc(0x28) = 0x5555555592e0   forknames.c:10 → c\n"
                + "    top: split 0x30 off, top now 0x555555559300 size 0x20d00\n";
        String parent = "#8 [pid 2] malloc(0x28) = 0x5555555592e0   forknames.c:18 → d\n"
                + "    top: split 0x30 off, top now 0x555555559300 size 0x20d00\n";
        assertThat(r.out()).contains(child).contains(parent);

        CliRun.Result text = run("timeline", timeline.toString(), "--color=never", "--writes", "all");
        assertThat(text.err()).isEmpty();
        assertThat(text.status()).isZero();
        assertThat(text.out()).contains(child
                + "    program wrote 8 bytes to 0x5555555592e8 (#5 (c)'s user data +0x8)   forknames.c:11\n"
                + "    program wrote 8 bytes to 0x5555555592c8 (#2 (b)'s user data +0x8)   forknames.c:12\n"
                + "#6 [pid 3] free(0x5555555592e0)   forknames.c:13\n"
                + "    tcachebins[0x30]: put 0x5555555592d0 (#5), now 1\n"
                + "#7 [pid 2] waitpid(3, 0x7fffffffecf4, 0, 0) = 3   forknames.c:17\n"
                + parent
                + "    program wrote 8 bytes to 0x5555555592e8 (#8 (d)'s user data +0x8)   forknames.c:19\n"
                + "    program wrote 8 bytes to 0x5555555592a8 (#1 (a)'s user data +0x8)   forknames.c:20\n"
                + "#9 [pid 2] free(0x5555555592e0)   forknames.c:21\n"
                + "    tcachebins[0x30]: put 0x5555555592d0 (#8), now 1\n"
                + "#10 [pid 2] free(0x5555555592c0)   forknames.c:22\n"
                + "    tcachebins[0x20]: put 0x5555555592b0 (#2), now 1\n");
    }

    /**
     * A fork() in a thread other than main: the child's only thread is the forking thread going on (its
     * events are the child's thread 0, the thread the process started with, as in timeline's header
     * and the chrome export), its calls rebuilt from its copy of that thread's arena and tcache; the
     * rebuild used to refuse a fork in a thread, and {@code run}'s story and {@code timeline} stopped at
     * the child's first call with an internal error.
     */
    @Test
    void aForkInAThreadIsNarratedAsTheChildsOnlyThreadGoingOn() throws IOException {
        Path src = corpus("fork_in_thread.c");
        Path timeline = DIR.resolve("fork_in_thread.timeline");
        CliRun.Result r = run("run", "--color=never", "--out", timeline.toString(), src.toString());
        assertThat(r.err()).doesNotContain("internal error").doesNotContain("Exception");
        assertThat(r.status()).isZero();
        String child = "#7 [pid 2 t1] fork() = 3   fork_in_thread.c:21\n"
                + "#8 [pid 3 t0] malloc(0x64) = 0x7ffff0000b70   fork_in_thread.c:34 → c\n"
                + "    tcachebins[0x70]: took 0x7ffff0000b60 (#4), 0 left\n"
                + "#9 [pid 3 t0] malloc(0x1388) = 0x7ffff0000cb0   fork_in_thread.c:35 → d\n"
                + "    top: split 0x1390 off, top now 0x7ffff0002030 size 0x1efd0\n"
                + "#10 [pid 3 t0] pthread_create(0x7ffff7dd0e90, 0, 0x1000) = 0   fork_in_thread.c:38\n"
                + "    kernel: mmap(0x0, 0x801000, 0, 0x22, -1, 0) = 0x7ffff6dd0000\n"
                + "    kernel: mprotect(0x7ffff6dd1000, 0x800000, 3) = 0\n"
                + "    top: split 0x120 off, top now 0x7ffff0002150 size 0x1eeb0\n"
                // the child's new thread gets main_arena, which glibc's fork handler put on the free list
                + "#11 [pid 3 t1] malloc(0x28) = 0x55555555a680   fork_in_thread.c:13 → p\n"
                + "    top: split 0x290 off, top now 0x55555555a670 size 0x1f990\n"
                + "    top: split 0x30 off, top now 0x55555555a6a0 size 0x1f960\n"
                + "#12 [pid 3 t1] pthread_exit(0x55555555a680)\n"
                + "    unsortedbin: put 0x55555555a3e0 (0x290) [free]\n"
                + "#13 [pid 3 t0] pthread_join(0x7ffff75d06c0, 0x0) = 0   fork_in_thread.c:39\n"
                + "#14 [pid 2 t1] waitpid(-1, 0x7ffff7dd0e98, 0, 0) = 3   fork_in_thread.c:43\n"
                + "#15 [pid 2 t1] malloc(0x64) = 0x7ffff0000b70   fork_in_thread.c:45 → c\n"
                + "    tcachebins[0x70]: took 0x7ffff0000b60 (#4), 0 left\n";
        assertThat(r.out()).startsWith("main: m 0x5555555592a0\n")
                .contains("child: r 41 c 0x7ffff0000b70 d 0x7ffff0000cb0 local 0x7ffff7dd0e9c\n")
                .contains(child)
                .contains("#17 [pid 2 t0] pthread_join(0x7ffff7dd16c0, 0x7fffffffecf0) = 0   fork_in_thread.c:59\n");

        CliRun.Result text = run("timeline", timeline.toString(), "--color=never");
        assertThat(text.err()).isEmpty();
        assertThat(text.status()).isZero();
        assertThat(text.out()).contains(child);
    }

    /** A fork in a thread that has not malloc'ed: the child's first malloc takes main_arena; its pthread_exit ends it. */
    @Test
    void aForkInAThreadWhoseChildEndsWithPthreadExitIsNarrated() throws IOException {
        Path src = corpus("fork_thread_exit.c");
        Path timeline = DIR.resolve("fork_thread_exit.timeline");
        CliRun.Result r = run("run", "--color=never", "--out", timeline.toString(), src.toString());
        assertThat(r.err()).doesNotContain("internal error").doesNotContain("Exception");
        assertThat(r.status()).isZero();
        String child = "#2 [pid 2 t1] fork() = 3   fork_thread_exit.c:12\n"
                + "#3 [pid 3 t0] malloc(0xa) = 0x555555559650   fork_thread_exit.c:14 → p\n"
                + "    top: split 0x290 off, top now 0x555555559640 size 0x209c0\n"
                + "    top: split 0x20 off, top now 0x555555559660 size 0x209a0\n"
                + "#4 [pid 2 t1] waitpid(-1, 0x7ffff7dd0ebc, 0, 0) = 3   fork_thread_exit.c:19\n"
                + "#5 [pid 2 t1] pthread_exit(0)\n"
                + "#6 [pid 2 t0] pthread_join(0x7ffff7dd16c0, 0x0) = 0   fork_thread_exit.c:26\n";
        assertThat(r.out()).startsWith("child: self is the worker 1\nchild: 0x555555559650\nparent: child status 0\n")
                .contains(child);
        CliRun.Result text = run("timeline", timeline.toString(), "--color=never");
        assertThat(text.err()).isEmpty();
        assertThat(text.status()).isZero();
        assertThat(text.out()).contains(child);
    }

    /** A program of the C front end's corpus (the cfront module's, beside this one). */
    private static Path corpus(String name) {
        Path p = Path.of("../cfront/src/test/c/corpus", name);
        assumeTrue(Files.isRegularFile(p), "the C corpus is not beside the cli module: " + p);
        return p;
    }

    @Test
    void aCFileWithAMistakeGetsGccsDiagnostic() throws IOException {
        Path src = DIR.resolve("broken.c");
        Files.writeString(src, "int main(void) {\n    return nope;\n}\n");
        CliRun.Result r = run("run", "--view", "none", src.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith(src + ":2:12: error: 'nope' undeclared (first use in this function)\n"
                + "    2 |     return nope;\n      |            ^\n");
        // with the story asked for too: the diagnostic is the whole message (no "nothing ran", "nothing to show")
        CliRun.Result told = run("run", "--color=never", "--out", DIR.resolve("broken.timeline").toString(), src.toString());
        assertThat(told.status()).isEqualTo(1);
        assertThat(told.err()).isEqualTo(src + ":2:12: error: 'nope' undeclared (first use in this function)\n"
                + "    2 |     return nope;\n      |            ^\n");
        assertThat(told.out()).isEmpty();
    }

    @Test
    void aCFileRefusedWhileLaidOutIsTheWholeMessageToo() throws IOException {
        // the front end refuses this when it lays the frames out, after the process is made: still nothing ran
        Path src = DIR.resolve("ldouble.c");
        Files.writeString(src, "static int one(void) { return 1; }\n"
                + "int main(void) {\n    long double x = 1.0L;\n    return (int) x - one();\n}\n");
        Path timeline = DIR.resolve("ldouble.timeline");
        Files.deleteIfExists(timeline);
        CliRun.Result r = run("run", "--color=never", "--out", timeline.toString(), src.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(src + ":2:5: error: unsupported: long double arithmetic in 'main', which calls"
                + " the program's own functions (gcc's x87 stack slots are not modelled)\n"
                + "    2 | int main(void) {\n      |     ^\n");
        assertThat(r.out()).isEmpty();
        assertThat(timeline).as("no 0-byte timeline is left behind").doesNotExist();
    }

    /**
     * In a temp directory of the test's own: the shared one's first-fit.timeline may be held by any other run on
     * the machine right then, and this run would rightly take first-fit-2.timeline.
     */
    @Test
    void withoutOutTheTimelineGoesToTheUsersOwnDirectory() throws Exception {
        Path tmp = DIR.resolve("default-dir");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        Path expected = RunCommand.defaultTimeline("first-fit", tmp.toAbsolutePath().toString());
        Forked f = forkCli(tmp, "run", "--view", "none", "first-fit");
        assertThat(f.status()).as(f.err()).isZero();
        assertThat(f.err()).contains("timeline written to " + expected.toAbsolutePath());
        assertThat(expected).isRegularFile();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(expected.getParent()))).isEqualTo("rwx------");
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void runsOwnOptionAfterProgramGoesToTheProgramWithAHint() {
        CliRun.Result r = run("run", "--color=never", "--out", DIR.resolve("ff-hint.timeline").toString(), "first-fit",
                "--view", "none");
        assertThat(r.status()).isZero();
        assertThat(r.err()).startsWith("mallocscope: --view after PROGRAM is passed to first-fit, not to run; "
                + "options of run go before PROGRAM: mallocscope run --view none NAME\n");
        assertThat(r.out()).contains("what malloc did");
    }

    @Test
    void aLongRecordingGetsItsCheckpointsRightAfterItIsRecorded() throws IOException {
        // #16.4: 4600 mallocs and 4600 frees recorded, then the side file written before the story
        StringBuilder trace = new StringBuilder("# 9200 ops\n");
        for (int i = 0; i < 4600; i++) {
            trace.append("a ").append(i).append(' ').append(16 + i % 200 * 8).append('\n');
        }
        for (int i = 0; i < 4600; i++) {
            trace.append("f ").append((i * 7) % 4600).append('\n');
        }
        Path rep = DIR.resolve("long.rep");
        Files.writeString(rep, trace);
        Path timeline = DIR.resolve("long.timeline");
        Files.deleteIfExists(io.mallocscope.runtime.timeline.Checkpoints.sideFile(timeline));
        CliRun.Result r = run("run", "--view", "summary", "--color=never", "--out", timeline.toString(), "replay",
                rep.toString());
        assertThat(r.status()).isZero();
        int steps = Timeline.read(timeline).steps();
        assertThat(steps).isGreaterThanOrEqualTo(9200);
        int every = io.mallocscope.runtime.timeline.Checkpoints.DEFAULT_EVERY;
        assertThat(r.err()).contains("mallocscope: wrote " + timeline + ".ckpt (" + steps / every
                + " checkpoints, one every " + every + " steps): views of any step of long.timeline now start from the "
                + "nearest one\n");
        CliRun.Result bins = run("bins", timeline.toString(), "--at", "9000");
        assertThat(bins.err()).isEmpty();
        assertThat(bins.out()).contains("tcachebins");
        io.mallocscope.cli.testing.TimeTravel.viewsMatchFromZero(timeline, 2048, 6, 9200);
    }

    /** 9200 calls recorded with {@code run --view none} into {@code name}, without side files. */
    private static Path longRecording(String name) throws IOException {
        StringBuilder trace = new StringBuilder("# 9200 ops\n");
        for (int i = 0; i < 4600; i++) {
            trace.append("a ").append(i).append(' ').append(16 + i % 200 * 8).append('\n');
        }
        for (int i = 0; i < 4600; i++) {
            trace.append("f ").append((i * 7) % 4600).append('\n');
        }
        Path rep = DIR.resolve(name + ".rep");
        Files.writeString(rep, trace);
        Path timeline = DIR.resolve(name + ".timeline");
        Files.deleteIfExists(io.mallocscope.runtime.timeline.Checkpoints.sideFile(timeline));
        CliRun.Result r = run("run", "--view", "none", "--out", timeline.toString(), "replay", rep.toString());
        assertThat(r.status()).isZero();
        return timeline;
    }

    /**
     * {@code run --view none} records and shows nothing: the side file is the first view's to write (the time
     * travel benchmark times that first view), as docs/cli.md says.
     */
    @Test
    void runViewNoneLeavesTheCheckpointsToTheFirstView() throws IOException {
        Path timeline = longRecording("view-none");
        Path side = io.mallocscope.runtime.timeline.Checkpoints.sideFile(timeline);
        assertThat(Timeline.read(timeline).steps()).isGreaterThanOrEqualTo(io.mallocscope.runtime.timeline.Checkpoints.WORTH_IT);
        assertThat(side).doesNotExist();
        CliRun.Result first = run("bins", timeline.toString(), "--at", "5000");
        assertThat(first.err()).startsWith("mallocscope: wrote " + side + " (");
        assertThat(side).isRegularFile();
    }

    /** A step past the end is refused at once: the side file a long timeline's first view writes is not made for it. */
    @Test
    void aStepPastTheEndIsRefusedBeforeTheCheckpointsAreWritten() throws IOException {
        Path timeline = longRecording("past-end");
        Path side = io.mallocscope.runtime.timeline.Checkpoints.sideFile(timeline);
        Files.deleteIfExists(side);
        int steps = Timeline.read(timeline).steps();
        for (String[] args : new String[][] {{"heap", "--at", "999999"}, {"vis", "--at", "999999"},
                {"arenas", "--at", "999999"}, {"diff", "--to", "999999"}}) {
            List<String> cmd = new java.util.ArrayList<>(List.of(args[0], timeline.toString()));
            cmd.addAll(List.of(args).subList(1, args.length));
            CliRun.Result r = run(cmd.toArray(String[]::new));
            assertThat(r.status()).as("%s", cmd).isEqualTo(2);
            assertThat(r.err()).as("%s", cmd).isEqualTo("mallocscope: " + args[1] + " 999999 is out of range: "
                    + "the timeline of replay has " + steps + " top-level calls (steps 0.." + steps + ")\n");
            assertThat(side).as("%s", cmd).doesNotExist();
        }
        CliRun.Result ok = run("heap", timeline.toString(), "--at", "9000");
        assertThat(ok.status()).isZero();
        assertThat(ok.err()).startsWith("mallocscope: wrote " + side + " (");
        assertThat(side).isRegularFile();
    }

    @Test
    void aProgramThatStopsBeforeMallocShowsNoEmptyStory() throws IOException {
        Path src = Files.writeString(DIR.resolve("usage.c"), "#include <stdio.h>\n"
                + "int main(void) {\n    fputs(\"usage: usage FILE\\n\", stderr);\n    return 2;\n}\n");
        CliRun.Result r = run("run", "--out", DIR.resolve("usage.timeline").toString(), src.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("usage: usage FILE\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void glibcAndTunablesOnARecordedTimelineAreIgnoredWithAWarning() {
        CliRun.Result heap = run("heap", FIRST_FIT.toString(), "--glibc", "2.31");
        assertThat(heap.status()).isZero();
        assertThat(heap.err()).isEqualTo("mallocscope: warning: --glibc ignored: " + FIRST_FIT
                + " is a recorded timeline, shown with the glibc and tunables it was recorded with (they apply to .rep traces)\n");
        CliRun.Result timeline = run("timeline", FIRST_FIT.toString(), "--tunables", "glibc.malloc.tcache_count=0",
                "--glibc", "2.31");
        assertThat(timeline.err()).startsWith("mallocscope: warning: --glibc and --tunables ignored: ");
        assertThat(run("heap", FIRST_FIT.toString()).err()).isEmpty();
    }

    @Test
    void theSamplesJarAndTheLauncherRefuseABadProfileInOneLine() throws Exception {
        String cp = Home.samplesJar() + java.io.File.pathSeparator + Home.runtimeClasses() + java.io.File.pathSeparator
                + Home.cliClasses();
        for (List<String> cmd : List.of(
                List.of(Home.java().toString(), "-Dmallocscope.glibc=9.9", "-jar", Home.samplesJar().toString(), "first-fit"),
                List.of(Home.java().toString(), "-Dmallocscope.tunables=foo", "-cp", cp,
                        ProgramLauncher.class.getName(), "io.mallocscope.samples.FirstFit"))) {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(output).isEqualTo(2);
            assertThat(output.lines().toList()).as(output).hasSize(1);
            assertThat(output).containsAnyOf("unknown glibc version '9.9'", "malformed tunable 'foo'")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void viewsOfTheRecordedTimeline() {
        CliRun.Result bins = run("bins", FIRST_FIT.toString(), "--at", "3");
        assertThat(bins.status()).isZero();
        assertThat(bins.out()).contains("unsortedbin\nall: 0x555555559290 —▸ ");
        Approved.verify("bins-first-fit-recorded-at-3", bins.out());
        CliRun.Result heap = run("heap", FIRST_FIT.toString(), "--at", "4");
        assertThat(heap.status()).isZero();
        assertThat(heap.out()).contains("Free chunk (unsortedbin) | PREV_INUSE\nAddr: 0x5555555594a0\n"
                + "Size: 0x310 (with flag bits: 0x311)\n");
        Approved.verify("heap-first-fit-recorded-at-4", heap.out());
        CliRun.Result vis = run("vis", FIRST_FIT.toString(), "--at", "4");
        assertThat(vis.status()).isZero();
        assertThat(vis.out()).contains("this is C!");
        Approved.verify("vis-first-fit-recorded-at-4", vis.out());
        CliRun.Result diff = run("diff", FIRST_FIT.toString(), "--at", "3", "--to", "4");
        Approved.verify("diff-first-fit-recorded-3-4", diff.out());
    }

    @Test
    void htmlOfTheRecordingHasOneStepPerCallAndTheRebuiltHeap() throws IOException {
        Path page = DIR.resolve("first-fit.html");
        CliRun.Result r = run("timeline", FIRST_FIT.toString(), "--format", "html", "--out", page.toString());
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEqualTo("mallocscope: wrote " + page + "\n");
        String html = Files.readString(page);
        assertThat(html).startsWith("<!DOCTYPE html>").doesNotContain("http://").doesNotContain("https://")
                .contains("\"op\":\"malloc(0x512) = 0x5555555592a0\",\"site\":\"FirstFit.java:33\"")
                .contains("\"outputNote\":\"\"")
                .as("the agent records what the program printed; first-fit writes to stderr")
                .contains("glibc uses a first-fit algorithm to select a free chunk.");

        // the model behind the page, from the same recording
        Timeline t = Timeline.read(FIRST_FIT);
        StateSource s = Sources.open(FIRST_FIT, new Sources.ReplaySettings("2.36", ""));
        HtmlModel m = HtmlModels.fromTimeline(t, s.ops(), FIRST_FIT.getFileName().toString(), 1000);
        assertThat(t.steps()).isEqualTo(4);
        assertThat(m.steps()).hasSize(t.steps() + 1);
        assertThat(m.steps().get(1).op()).isEqualTo("malloc(0x512) = 0x5555555592a0");
        assertThat(m.steps().get(1).site()).startsWith("FirstFit.java:");
        assertThat(m.steps().get(3).explanation()).containsExactly("unsortedbin: put 0x555555559290 (#1) (0x520) [free]");
        // the first-fit story at the end: the 0x520 chunk split for the 0x1fa request, its remainder unsorted
        HtmlModel.Step last = m.steps().get(4);
        assertThat(last.chunks()).extracting(HtmlModel.ChunkBox::state)
                .containsExactly("in_use", "in_use", "unsorted", "in_use", "top");
        assertThat(last.chunks()).extracting(c -> "0x" + Long.toHexString(c.address()) + " " + Long.toHexString(c.size()))
                .containsExactly("0x555555559000 290", "0x555555559290 210", "0x5555555594a0 310",
                        "0x5555555597b0 260", "0x555555559a10 205f0");
        assertThat(last.bins()).containsExactly(java.util.Map.entry("unsortedbin", java.util.List.of("0x5555555594a0")));
        assertThat(html).contains("\"op\":\"malloc(0x1fa) = 0x5555555592a0\"");
    }

    @Test
    void htmlMaxStepsCutsTheRecording() throws IOException {
        Path page = DIR.resolve("first-fit-2.html");
        CliRun.Result r = run("timeline", FIRST_FIT.toString(), "--format", "html", "--max-steps", "2", "--out",
                page.toString());
        assertThat(r.status()).isZero();
        assertThat(Files.readString(page)).contains("The timeline goes on for 2 more calls, not shown here (the page"
                + " shows the first 2; --max-steps N shows more).").doesNotContain("malloc(0x1fa)");
    }

    @Test
    void atNThenNMinusOneOnARecordedTimeline() {
        String at2 = run("vis", FIRST_FIT.toString(), "--at", "2").out();
        String at3 = run("vis", FIRST_FIT.toString(), "--at", "3").out();
        assertThat(at3).isNotEqualTo(at2).contains("unsortedbin[0]");
        assertThat(run("vis", FIRST_FIT.toString(), "--at", "2").out()).isEqualTo(at2);
    }

    /** The agent flushes whole blocks; a cut one is dropped, and the reader says where (see TimelineSourceTest). */
    @Test
    void aTruncatedRecordingWarnsAndStillExitsZero() throws IOException {
        byte[] all = Files.readAllBytes(FIRST_FIT);
        Path cut = DIR.resolve("cut.timeline");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 20));
        CliRun.Result r = run("timeline", cut.toString());
        assertThat(r.status()).isZero();
        assertThat(r.err()).startsWith("mallocscope: warning: the timeline is readable only up to step ")
                .contains("showing what is readable").doesNotContain("\tat ");
        CliRun.Result html = run("timeline", cut.toString(), "--format", "html");
        assertThat(html.status()).isZero();
        assertThat(html.out()).startsWith("<!DOCTYPE html>").contains("The recording is readable only up to here: ");
    }

    @Test
    void aFileThatIsNotATimelineIsRefused() throws IOException {
        Path junk = DIR.resolve("junk.timeline");
        Files.writeString(junk, "hello\n");
        CliRun.Result r = run("heap", junk.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("mallocscope: ").contains("not a mallocscope timeline").doesNotContain("\tat ");
    }

    @Test
    void anAbortingSampleEndsWith134() throws IOException {
        CliRun.Result r = run("run", "--view", "none", "--out", DIR.resolve("df.timeline").toString(),
                "double-free-tcache");
        assertThat(r.status()).isEqualTo(134);
        assertThat(r.err()).contains("free(): double free detected in tcache 2");
    }

    /**
     * The program's stdout and stderr reach the user in the order the program wrote them, even when the
     * pipe of its stdout is read only after its stderr has ended (docs/cli.md's memcheck example).
     */
    @Test
    void stdoutAndStderrKeepTheProgramsOrderWhenOnePipeIsReadLate() {
        CommandLine cl = Main.commandLine();
        java.io.StringWriter both = new java.io.StringWriter();
        java.io.PrintWriter w = new java.io.PrintWriter(both, true);
        cl.setOut(w);
        cl.setErr(w);
        RunCommand.holdStdoutPipeUntilStderrEnds = true;
        int status;
        try {
            status = cl.execute("run", "--memcheck", "--view", "none", "--out", DIR.resolve("df-order.timeline").toString(),
                    "double-free-tcache");
        } finally {
            RunCommand.holdStdoutPipeUntilStderrEnds = false;
        }
        assertThat(status).isEqualTo(134);
        assertThat(both.toString()).startsWith("a = break+0x2a0\nfree(a) once: fine\n==1== Invalid free() / delete")
                .contains("free(): double free detected in tcache 2\n==1== \n==1== Process terminating")
                .contains("==1== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)\nAborted\n");
    }

    /**
     * The samples jar that run starts and the CLI jar carry the runtime as built now, not an older shaded copy. Each
     * class is in a jar once (the CLI jar takes it from the runtime jar; the samples module's artifact is its plain jar).
     */
    @Test
    void theSamplesAndCliJarsHoldTheRuntimeClassesAsBuilt() throws IOException {
        Path classes = Home.root().resolve("runtime/target/classes");
        assumeTrue(Files.isDirectory(classes), "no " + classes);
        for (Path jarFile : List.of(Home.samplesJar(), ExploreIT.cliJar())) {
            int compared = 0;
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(jarFile.toFile());
                 var files = Files.walk(classes)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    String name = classes.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                    var entry = jar.getJarEntry(name);
                    assertThat(entry).as(name + " in " + jarFile).isNotNull();
                    try (var in = jar.getInputStream(entry)) {
                        assertThat(java.util.Arrays.equals(in.readAllBytes(), Files.readAllBytes(f)))
                                .as(name + " in " + jarFile + " is runtime/target/classes'").isTrue();
                    }
                    compared++;
                }
            }
            assertThat(compared).isGreaterThan(100);
        }
        // what the CLI jar is shaded from: the samples' own classes, without a second copy of the runtime
        Path plain = Home.root().resolve("sample-programs/target/plain/mallocscope-samples.jar");
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(plain.toFile())) {
            assertThat(jar.stream().map(java.util.zip.ZipEntry::getName))
                    .contains("io/mallocscope/samples/FirstFit.class")
                    .noneMatch(n -> n.startsWith("io/mallocscope/runtime/"));
        }
    }

    @Test
    void chromeTraceOfTheRecording() {
        CliRun.Result r = run("timeline", FIRST_FIT.toString(), "--format", "chrome");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("{\"name\":\"free(0x5555555592a0)\",\"cat\":\"call\",\"ph\":\"X\",\"ts\":300,");
    }

    @Test
    void aClassOnTheClassPathRunsLikeASample() {
        Path samplesClasses = Home.root().resolve("sample-programs/target/classes");
        assumeTrue(Files.isDirectory(samplesClasses), "no " + samplesClasses);
        CliRun.Result r = run("run", "--classpath", samplesClasses.toString(), "--out",
                DIR.resolve("class.timeline").toString(), "--color=never", "io.mallocscope.samples.FirstFit");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("#4 malloc(0x1fa) = 0x5555555592a0   FirstFit.java:");
    }

    @Test
    void aMissingClassIsAUsageError() {
        CliRun.Result r = run("run", "--view", "none", "--classpath", DIR.toString(), "no.such.Program");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("no class no.such.Program on the class path");
    }

    /** A run that fails before anything is recorded leaves an existing --out exactly as it was. */
    @Test
    void aRunThatRecordsNothingLeavesAnExistingOutUntouched() throws IOException {
        Path dir = Files.createDirectories(DIR.resolve("kept-out"));
        Path out = dir.resolve("kept.timeline");
        Files.copy(FIRST_FIT, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Object inode = Files.getAttribute(out, "unix:ino");
        CliRun.Result r = run("run", "--color=never", "--out", out.toString(), "--classpath", DIR.toString(),
                "no.such.Program");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: no class no.such.Program on the class path\n"
                + "mallocscope: no simulated process ran, so no timeline was written\n");
        assertThat(out).hasSameBinaryContentAs(FIRST_FIT);
        assertThat(Files.getAttribute(out, "unix:ino")).isEqualTo(inode);
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("no recording left beside it")
                    .containsExactly("kept.timeline");
        }
    }

    /** A program that ends well but records nothing: the old file is kept, and its story is not told as this run's. */
    @Test
    void aRunThatEndsWellButRecordsNothingDoesNotTellTheOldStory() throws IOException {
        Path out = Files.createDirectories(DIR.resolve("kept-story")).resolve("kept.timeline");
        Files.copy(FIRST_FIT, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRun.Result r = run("run", "--color=never", "--out", out.toString(), "--classpath",
                Path.of("target/test-classes").toAbsolutePath().toString(), "io.mallocscope.cli.testing.ExitsBeforeItsProcess");
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("mallocscope: no simulated process ran, so no timeline was written\n"
                + "mallocscope: no timeline was recorded; " + out + " is left as it was; nothing to show.\n");
        assertThat(out).hasSameBinaryContentAs(FIRST_FIT);
    }

    /** ... and creates no file where there was none: no 0-byte timeline is left behind. */
    @Test
    void aRunThatRecordsNothingLeavesNoNewFile() throws IOException {
        Path dir = Files.createDirectories(DIR.resolve("no-new-out"));
        Path out = dir.resolve("new.timeline");
        Files.deleteIfExists(out);
        CliRun.Result r = run("run", "--view", "none", "--out", out.toString(), "--classpath", DIR.toString(),
                "no.such.Program");
        assertThat(r.status()).isEqualTo(2);
        assertThat(out).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    /** A program that crashes keeps what it recorded, written through the --out link, named as given. */
    @Test
    void aCrashingRunReplacesAnExistingOutWithWhatItRecorded() throws IOException {
        Path dir = Files.createDirectories(DIR.resolve("crash-out"));
        Path real = dir.resolve("real.timeline");
        Path link = dir.resolve("link.timeline");
        Files.deleteIfExists(link);
        Files.writeString(real, "an older recording");
        Files.createSymbolicLink(link, real.getFileName());
        CliRun.Result r = run("run", "--view", "none", "--out", link.toString(), "double-free-tcache");
        assertThat(r.status()).isEqualTo(134);
        assertThat(r.err()).containsPattern("mallocscope: timeline written to " + java.util.regex.Pattern.quote(
                link.toAbsolutePath().toString()) + " \\(\\d+ events, " + Files.size(real) + " bytes\\)\n");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Timeline.read(real).steps()).isEqualTo(4);
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("real.timeline",
                    "link.timeline");
        }
    }

    @Test
    void withoutTheAgentTheProgramStillRunsAndRunSaysSo() throws IOException {
        Path home = DIR.resolve("home-without-agent");
        Path jar = home.resolve("sample-programs/target/mallocscope-samples.jar");
        Files.createDirectories(jar.getParent());
        Files.copy(Home.samplesJar(), jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String saved = System.getProperty("mallocscope.home");
        System.setProperty("mallocscope.home", home.toAbsolutePath().toString());
        try {
            CliRun.Result r = run("run", "first-fit");
            assertThat(r.status()).isZero();
            assertThat(r.err()).contains("3rd malloc(0x500): 0x5555555592a0\n");
            assertThat(r.err()).contains("mallocscope: the timeline is not available: the recording agent is not built");
            assertThat(r.out()).doesNotContain("what malloc did");
        } finally {
            if (saved == null) {
                System.clearProperty("mallocscope.home");
            } else {
                System.setProperty("mallocscope.home", saved);
            }
        }
    }

    /**
     * The CLI in a JVM of its own, as a user starts it, with {@code tmpdir} as its temp directory (java.io.tmpdir and
     * $TMPDIR, which the default timeline's place prefers): its stdout bytes, its stderr text and its status.
     */
    record Forked(int status, byte[] out, String err) {
    }

    static Forked forkCli(Path tmpdir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(Home.java().toString(),
                "-Dmallocscope.home=" + Home.root().toAbsolutePath(), "-Djava.io.tmpdir=" + tmpdir.toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(tmpdir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        pb.environment().put("TMPDIR", tmpdir.toAbsolutePath().toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        int status = p.waitFor();
        return new Forked(status, out, Files.readString(err));
    }

    /** A C program's output is bytes: run passes them through unchanged (no U+FFFD for Latin-1). */
    @Test
    void theProgramsOutputBytesPassThroughUnchanged() throws Exception {
        Path tmp = Files.createDirectories(DIR.resolve("raw-bytes"));
        Forked f = forkCli(tmp, "run", "--view", "none", "--classpath", Path.of("target/test-classes").toAbsolutePath()
                .toString(), "io.mallocscope.cli.testing.Latin1Output");
        assertThat(f.status()).as(f.err()).isZero();
        assertThat(f.out()).containsExactly('c', 'a', 'f', 0xe9, ' ', 0xff, '\n');
    }

    /** While another run holds the default timeline, a second run gets its own file and tells its own story. */
    @Test
    void aRunWhileAnotherHoldsTheDefaultTimelineUsesItsOwnFile() throws Exception {
        Path tmp = Files.createDirectories(DIR.resolve("concurrent"));
        Path first = RunCommand.defaultTimeline("first-fit");
        Path mine = tmp.resolve(first.getParent().getFileName()).resolve(first.getFileName());
        try (RunCommand.TimelineClaim held = RunCommand.claimTimeline(mine, false)) {
            Forked f = forkCli(tmp, "run", "--color=never", "first-fit");
            assertThat(f.status()).as(f.err()).isZero();
            Path second = mine.resolveSibling("first-fit-2.timeline").toAbsolutePath();
            assertThat(new String(f.out(), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("── what malloc did (4 calls; timeline in " + second + ") ──");
            assertThat(Files.size(held.file())).as("the held file was not touched").isZero();
        }
    }
}
