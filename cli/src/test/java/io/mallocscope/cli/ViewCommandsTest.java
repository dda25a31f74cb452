package io.mallocscope.cli;

import io.mallocscope.cli.testing.Approved;
import org.junit.jupiter.api.Test;

import static io.mallocscope.cli.CliRun.run;
import static io.mallocscope.cli.CliRun.trace;
import static org.assertj.core.api.Assertions.assertThat;

/** heap, bins, vis, maps, diff, timeline on replayed traces, against approved output. */
class ViewCommandsTest {
    static final String LARGE = trace("largebin-sorted-nextsize");

    /** The numbered call lines only. */
    static String headers(String out) {
        StringBuilder sb = new StringBuilder();
        out.lines().filter(l -> l.startsWith("#")).forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    static String ok(CliRun.Result r) {
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        return r.out();
    }

    @Test
    void heapShowsLargeBinChunksWithNextsizeLinks() {
        String out = ok(run("heap", LARGE, "--at", "19"));
        assertThat(out).contains("Free chunk (largebins) | PREV_INUSE\nAddr: 0x555555559290\n"
                + "Size: 0x1100 (with flag bits: 0x1101)\n");
        assertThat(out).contains("fd_nextsize: ");
        Approved.verify("heap-largebin-sorted-at-19", out);
    }

    @Test
    void binsShowTheSortedLargeBin() {
        String out = ok(run("bins", LARGE, "--at", "19"));
        assertThat(out).contains("largebins\n0x1000-0x11f0: ");
        Approved.verify("bins-largebin-sorted-at-19", out);
    }

    @Test
    void binsJsonKeysTheLargeBinByItsLowestSize() {
        String out = ok(run("bins", LARGE, "--at", "19", "--format", "json"));
        assertThat(out).contains("\"largebins\": {\n    \"0x1000\": [");
        Approved.verify("bins-json-largebin-sorted-at-19", out);
    }

    @Test
    void visOfTheFirstChunks() {
        String out = ok(run("vis", trace("fastbin-lifo"), "--at", "12", "--chunks", "3"));
        assertThat(out).startsWith("0x555555559000\t0x0000000000000000\t0x0000000000000291\t");
        Approved.verify("vis-fastbin-lifo-at-12", out);
    }

    @Test
    void visOfTheWholeHeapMarksBins() {
        String out = ok(run("vis", trace("unsorted-exact-fit"), "--at", "30"));
        assertThat(out).contains(" <-- tcachebins[0x100][0/3]").contains(" <-- unsortedbin[0]").contains(" <-- Top chunk");
        Approved.verify("vis-unsorted-exact-fit-at-30", out);
    }

    @Test
    void mapsShowMmappedChunks() {
        String out = ok(run("maps", trace("mmap-threshold-tunable")));
        assertThat(out).contains("heap (brk 0x55555557a000)").contains("mmapped chunk");
        // the kernel merged the chunks' mappings with the TLS one below libc: the label says both
        assertThat(out).contains("rw-p    96K  3 mmapped chunks (0x15000) + TLS\n");
        // [vsyscall] lies inside kernel space: the kernel line comes first, the way addresses go
        assertThat(out).endsWith("ffff800000000000-ffffffffffffffff ----   128T  kernel space (not mapped for the process)\n"
                + "ffffffffff600000-ffffffffff601000 --xp     4K  vsyscall (kernel page)         [vsyscall]\n");
        Approved.verify("maps-mmap-threshold-tunable", out);
    }

    /**
     * #12: {@code --format proc} prints exactly the lines of /proc/PID/maps: offset, device and inode
     * (the libraries' offsets are Debian 12's files', LibrarySegmentsMatchLinuxTest), the name from
     * column 74, an anonymous line ending in a space; no sizes and no kernel half.
     */
    @Test
    void mapsInProcFormatAreTheKernelsLines() {
        String out = ok(run("maps", trace("mmap-threshold-tunable"), "--format", "proc"));
        assertThat(out).contains("555555559000-55555557a000 rw-p 00000000 00:00 0" + " ".repeat(26) + "[heap]\n")
                .contains("7ffff7f4e000-7ffff7fa6000 r--p 0017c000 08:01 5531592" + " ".repeat(20)
                        + "/usr/lib/x86_64-linux-gnu/libc.so.6\n")
                .contains("7ffff7ff9000-7ffff7fff000 rw-p 00033000 08:01 6098135" + " ".repeat(20)
                        + "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n")
                .contains("7ffff7fac000-7ffff7fbd000 rw-p 00000000 00:00 0 \n")
                .doesNotContain("kernel space").doesNotContain("96K");
        assertThat(out).endsWith("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0" + " ".repeat(18)
                + "[vsyscall]\n");
        Approved.verify("maps-proc-mmap-threshold-tunable", out);
    }

    @Test
    void mapsRefusesAnUnknownFormat() {
        CliRun.Result r = run("maps", trace("mmap-threshold-tunable"), "--format", "smaps");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--format").contains("smaps");
    }

    @Test
    void diffOfARealloc() {
        String out = ok(run("diff", trace("worked-brief-example"), "--at", "7", "--to", "8"));
        assertThat(out).startsWith("step 7 → step 8\n");
        Approved.verify("diff-worked-brief-example-7-8", out);
    }

    @Test
    void timelineOfATraceFilteredByFunction() {
        String out = ok(run("timeline", trace("worked-brief-example"), "--fn", "free"));
        assertThat(headers(out)).isEqualTo("#3 free(0x5555555592a0)\n#6 free(0x7ffff7d9f010)\n#9 free(0x5555555592a0)\n");
        assertThat(out).contains("#6 free(0x7ffff7d9f010)\n    - 0x7ffff7d9f000 (0x31000, mmapped): munmapped\n");
    }

    /** A name no call can have (a typo) is said, with the names there are, not answered with nothing. */
    @Test
    void timelineOfAnUnknownFunctionIsAUsageError() {
        CliRun.Result r = run("timeline", trace("worked-brief-example"), "--fn", "bogus");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: --fn bogus: no such function (known: malloc, free, calloc, realloc, "
                + "reallocarray, memalign, aligned_alloc, posix_memalign, valloc, pvalloc, malloc_usable_size, "
                + "malloc_trim, mallopt, mallinfo2, mallinfo, malloc_stats, malloc_info, brk, sbrk, mmap, munmap, mremap, "
                + "mprotect, sys_brk, pthread_create, pthread_join, pthread_detach, pthread_exit, fork, waitpid, "
                + "sched_switch_to)\n");
        assertThat(r.out()).isEmpty();
        CliRun.Result jsonl = run("timeline", trace("worked-brief-example"), "--fn", "Malloc", "--format", "jsonl");
        assertThat(jsonl.status()).isEqualTo(2);
        assertThat(jsonl.err()).startsWith("mallocscope: --fn Malloc: no such function (known: malloc, free, ");
        CliRun.Result known = run("timeline", trace("worked-brief-example"), "--fn", "mmap");
        assertThat(known.status()).as("a known function the source never calls: no calls, no error").isZero();
        assertThat(known.out()).isEmpty();
    }

    @Test
    void timelineOfOneChunk() {
        String out = ok(run("timeline", trace("worked-brief-example"), "--chunk", "0x555555559290"));
        assertThat(headers(out)).startsWith("#1 malloc(0x18) = 0x5555555592a0\n#3 free(0x5555555592a0)\n"
                + "#4 malloc(0x18) = 0x5555555592a0\n");
    }

    @Test
    void atOutOfRangeIsAUsageError() {
        CliRun.Result r = run("heap", trace("worked-brief-example"), "--at", "10");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: --at 10 is out of range: " + trace("worked-brief-example") + " has 9 "
                + "top-level calls (steps 0..9)\n");
    }

    @Test
    void stepZeroIsBeforeMallocRan() {
        String out = ok(run("heap", trace("worked-brief-example"), "--at", "0"));
        assertThat(out).isEqualTo("The heap is not initialized yet (no allocation has happened at step 0).\n");
    }

    @Test
    void htmlOfATraceIsASelfContainedPage() {
        String out = ok(run("timeline", trace("worked-brief-example"), "--format", "html"));
        assertThat(out).startsWith("<!DOCTYPE html>").doesNotContain("http://").doesNotContain("https://");
    }

    @Test
    void coloursOnlyWhenAskedOrOnATerminal() {
        String brief = trace("worked-brief-example");
        assertThat(ok(run("bins", brief, "--color=always"))).contains("\u001b[");
        assertThat(ok(run("bins", brief, "--color=never"))).doesNotContain("\u001b[");
        // the tests' stdout is not a terminal: auto means none
        assertThat(ok(run("bins", brief))).doesNotContain("\u001b[");
        assertThat(ok(run("bins", brief, "--color=always", "--format", "json"))).doesNotContain("\u001b[");
    }

    @Test
    void chromeTraceOfATraceIsValidJsonWithOneSlicePerCall() {
        String out = ok(run("timeline", trace("worked-brief-example"), "--format", "chrome"));
        assertThat(out).startsWith("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
        assertThat(out.split("\"cat\":\"call\"", -1)).hasSize(10);
    }

    @Test
    void timelineRangeOutsideTheCallsIsAUsageError() {
        CliRun.Result r = run("timeline", trace("worked-brief-example"), "--from", "3", "--to", "12");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: --to 12 is out of range: " + trace("worked-brief-example")
                + " has 9 calls (1..9)\n");
    }

    @Test
    void timelineFromPastTheLastCallIsAUsageErrorNotAnEmptyPage() {
        CliRun.Result r = run("timeline", trace("worked-brief-example"), "--from", "10");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("mallocscope: --from 10 is out of range: " + trace("worked-brief-example")
                + " has 9 calls (1..9)\n");
        assertThat(ok(run("timeline", trace("worked-brief-example"), "--from", "9"))).startsWith("#9 free(");
    }

    @Test
    void timelineFromAfterToIsReversed() {
        CliRun.Result r = run("timeline", trace("worked-brief-example"), "--from", "3", "--to", "1");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("mallocscope: --from 3 --to 1 is reversed: ").doesNotContain("out of range");
    }

    @Test
    void timelineOutIntoAMissingDirectoryIsAUsageError() {
        CliRun.Result r = run("timeline", trace("worked-brief-example"), "--format", "html", "--out",
                "/nonexistent/x.html");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: cannot write /nonexistent/x.html: no such directory\n");
        CliRun.Result dir = run("timeline", trace("worked-brief-example"), "--out", "src");
        assertThat(dir.status()).isEqualTo(2);
        assertThat(dir.err()).startsWith("mallocscope: cannot write src: ").doesNotContain("\tat ");
    }

    @Test
    void timelineOutOntoItsOwnInputIsRefusedAndTheInputKept(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path f = dir.resolve("t.rep");
        java.nio.file.Files.copy(java.nio.file.Path.of(trace("worked-brief-example")), f);
        byte[] before = java.nio.file.Files.readAllBytes(f);
        java.nio.file.Path link = java.nio.file.Files.createSymbolicLink(dir.resolve("link.txt"), f);
        for (String out : new String[] {f.toString(), link.toString()}) {
            CliRun.Result r = run("timeline", f.toString(), "--out", out);
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("mallocscope: --out " + out + " is " + f + ", the file being read: write the "
                    + "view to another file\n");
        }
        assertThat(java.nio.file.Files.readAllBytes(f)).isEqualTo(before);
    }

    @Test
    void diffBlamesTheOptionTheUserGave() {
        CliRun.Result r = run("diff", trace("worked-brief-example"), "--to", "12");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: --to 12 is out of range: " + trace("worked-brief-example")
                + " has 9 top-level calls (steps 0..9)\n");
        CliRun.Result at = run("diff", trace("worked-brief-example"), "--at", "11", "--to", "3");
        assertThat(at.err()).startsWith("mallocscope: --at 11 is out of range");
    }

    /** docs/cli.md: a reversed --at/--to is a usage error. */
    @Test
    void aReversedDiffIsAUsageError() {
        CliRun.Result r = run("diff", trace("worked-brief-example"), "--at", "5", "--to", "2");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: --at 5 --to 2 is reversed: --at is the earlier step ("
                + trace("worked-brief-example") + " has steps 0..9)\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void visChunksZeroIsRefusedAsTheMessageSays() {
        CliRun.Result r = run("vis", trace("worked-brief-example"), "--chunks", "0");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: --chunks must be 1 or more, not 0\n");
        assertThat(ok(run("vis", trace("worked-brief-example"), "--chunks", "1")))
                .isNotEqualTo(ok(run("vis", trace("worked-brief-example"))));
    }

    @Test
    void oneNamePerBinAcrossDiffVisAndStory() {
        String story = ok(run("timeline", trace("worked-brief-example"), "--color=never"));
        String diff = ok(run("diff", trace("worked-brief-example"), "--at", "2", "--to", "3"));
        String vis = ok(run("vis", trace("worked-brief-example"), "--at", "3"));
        assertThat(story).contains("    tcachebins[0x20]: +0x555555559290  (0 → 1)\n");
        assertThat(diff).contains("tcachebins[0x20]: +0x555555559290  (0 → 1)");
        assertThat(vis).contains("tcachebins[0x20][0/1]");
        String fastbin = ok(run("vis", trace("fastbin-lifo"), "--at", "32"));
        assertThat(fastbin).contains(" <-- fastbins[0x50][2]\n").contains(" <-- tcachebins[0x50][6/7]\n");
    }

    @Test
    void aBadChunkAddressIsAUsageError() {
        CliRun.Result r = run("timeline", trace("worked-brief-example"), "--chunk", "zz");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: --chunk: 'zz' is not a hex address\n");
    }
}
