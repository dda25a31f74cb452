package io.mallocscope.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * #12: {@code maps} of a recorded timeline shows a file mapping as a file mapping (path, offset,
 * MAP_SHARED or private) and says, step by step, which of its pages are dirty (a store through a shared
 * mapping, until msync or munmap writes it back) or copied (a private mapping's first store), as the
 * samples' programs did them.
 */
class FileMapsIT {
    static final Path DIR = Path.of("target/it/file-maps");
    static Path shared;
    static Path cow;
    static Path fork;

    @BeforeAll
    static void record() throws Exception {
        assumeTrue(Home.agentJar().isPresent(), "the agent jar is not built (or has no Premain-Class)");
        assumeTrue(Files.isRegularFile(Home.samplesJar()), "the samples jar is not built: " + Home.samplesJar());
        Files.createDirectories(DIR);
        shared = record("file-mapped-shared");
        cow = record("private-mapping-cow");
        fork = record("fork-shared-memory");
    }

    private static Path record(String sample) {
        Path out = DIR.resolve(sample + ".timeline");
        CliRun.Result r = run("run", "--out", out.toString(), "--view", "none", "--color=never", sample);
        assertThat(r.status()).as(r.err()).isZero();
        return out;
    }

    static String ok(String... args) {
        CliRun.Result r = run(args);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        return r.out();
    }

    private static String line(String maps, String name) {
        return maps.lines().filter(l -> l.endsWith(name)).findFirst().orElse("<no line for " + name + ">");
    }

    @Test
    void aSharedFileMappingIsDirtyAfterAStoreUntilItIsWrittenBack() {
        String f = shared.toString();
        // #2 mmap(MAP_SHARED) of /tmp/notes.txt; after #3 the program stores "HELLO" through it; after #4
        // msync writes the page back; after #5 it stores past the end of the file; #6 munmaps it
        assertThat(line(ok("maps", f, "--at", "2", "--color=never"), "/tmp/notes.txt"))
                .isEqualTo("7ffff7dcf000-7ffff7dd0000 rw-s     4K  file at 0x0, shared: clean     /tmp/notes.txt");
        assertThat(line(ok("maps", f, "--at", "3", "--color=never"), "/tmp/notes.txt"))
                .isEqualTo("7ffff7dcf000-7ffff7dd0000 rw-s     4K  file at 0x0, shared: 1 page dirty /tmp/notes.txt");
        assertThat(line(ok("maps", f, "--at", "4", "--color=never"), "/tmp/notes.txt")).contains("shared: clean");
        assertThat(line(ok("maps", f, "--at", "5", "--color=never"), "/tmp/notes.txt")).contains("shared: 1 page dirty");
        assertThat(ok("maps", f, "--at", "6", "--color=never")).doesNotContain("/tmp/notes.txt");
        // the mapping is its own line, not merged into the anonymous TLS mapping above it
        assertThat(ok("maps", f, "--at", "3", "--color=never"))
                .contains("7ffff7dd0000-7ffff7dd3000 rw-p    12K  TLS, libc .bss tail\n");
    }

    @Test
    void procFormatOfATimelinePrintsTheFileMappingsOffset() {
        String out = ok("maps", shared.toString(), "--at", "3", "--format", "proc");
        // a timeline records the path and offset but not the file's device and inode: 00:00 0 (docs/cli.md)
        assertThat(out).contains("7ffff7dcf000-7ffff7dd0000 rw-s 00000000 00:00 0" + " ".repeat(26) + "/tmp/notes.txt\n")
                .contains("7ffff7faa000-7ffff7fac000 rw-p 001d3000 08:01 5531592" + " ".repeat(20)
                        + "/usr/lib/x86_64-linux-gnu/libc.so.6\n");
    }

    @Test
    void aPrivateFileMappingsPageIsCopiedAtItsFirstStore() {
        String c = cow.toString();
        // #2 mmap(MAP_PRIVATE) of /tmp/original.txt; after #3 the program stores 'o' into its first page
        assertThat(line(ok("maps", c, "--at", "2", "--color=never"), "/tmp/original.txt"))
                .isEqualTo("7ffff7dcf000-7ffff7dd0000 rw-p     4K  file at 0x0, private: no page copied /tmp/original.txt");
        assertThat(line(ok("maps", c, "--at", "3", "--color=never"), "/tmp/original.txt"))
                .isEqualTo("7ffff7dcf000-7ffff7dd0000 rw-p     4K  file at 0x0, private: 1 page copied /tmp/original.txt");
    }

    @Test
    void aChildSharesTheParentsSharedMemory() {
        String f = fork.toString();
        // after the fork (#4) the parent stores into the shared page: dirty in both processes' view
        String parent = line(ok("maps", f, "--at", "5", "--color=never"), "/dev/zero (deleted)");
        String child = line(ok("maps", f, "--at", "5", "--pid", "3", "--color=never"), "/dev/zero (deleted)");
        assertThat(parent).isEqualTo("7ffff7dcf000-7ffff7dd0000 rw-s     4K  shared memory: 1 page dirty    /dev/zero (deleted)");
        assertThat(child).isEqualTo(parent);
        assertThat(line(ok("maps", f, "--at", "5", "--pid", "3", "--format", "proc"), "/dev/zero (deleted)"))
                .startsWith("7ffff7dcf000-7ffff7dd0000 rw-s 00000000 00:01 ");
    }

    /** diff says when a file mapping's pages change state: the store dirties the page, msync cleans it. */
    @Test
    void diffSaysWhenAFileMappingsPagesChangeState() {
        String f = shared.toString();
        assertThat(ok("diff", f, "--at", "2", "--to", "3", "--color=never")).contains(
                "maps: ~ 7ffff7dcf000-7ffff7dd0000 /tmp/notes.txt: file at 0x0, shared: clean → file at 0x0, shared: 1 page dirty\n");
        assertThat(ok("diff", f, "--at", "3", "--to", "4", "--color=never")).contains(
                "maps: ~ 7ffff7dcf000-7ffff7dd0000 /tmp/notes.txt: file at 0x0, shared: 1 page dirty → file at 0x0, shared: clean\n");
        assertThat(ok("diff", cow.toString(), "--at", "2", "--to", "3", "--color=never")).contains(
                "maps: ~ 7ffff7dcf000-7ffff7dd0000 /tmp/original.txt: file at 0x0, private: no page copied → "
                        + "file at 0x0, private: 1 page copied\n");
    }
}
