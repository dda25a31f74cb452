package io.mallocscope.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile user's campaign, the cheap part: damaged and odd inputs through every command that reads
 * one. Each gives the same status everywhere and a single line on stderr, never a stack trace.
 */
class MalformedInputCorpusTest {
    @TempDir
    static Path dir;

    /** Every command that reads a SOURCE or TRACE, with what it needs besides. */
    static final List<List<String>> COMMANDS = List.of(
            List.of("replay"), List.of("replay", "--format", "text"), List.of("heap"), List.of("bins"), List.of("vis"),
            List.of("maps"), List.of("timeline"), List.of("diff", "--to", "1"), List.of("compare", "--glibc", "2.31,2.36"));

    static Path bytes(String name, byte[] content) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        return f;
    }

    static Path text(String name, String content) throws IOException {
        return bytes(name, content.getBytes(StandardCharsets.ISO_8859_1));
    }

    @BeforeAll
    static void corpus() throws IOException {
        Files.createDirectories(dir.resolve("a-directory.rep"));
    }

    /** Runs every command on {@code input}; each must give {@code status} and exactly {@code line} on stderr. */
    static void everyCommand(String input, int status, String line) {
        List<String> seen = new ArrayList<>();
        for (List<String> c : COMMANDS) {
            List<String> args = new ArrayList<>(c.subList(0, 1));
            args.add(input);
            args.addAll(c.subList(1, c.size()));
            CliRun.Result r = run(args.toArray(String[]::new));
            seen.add(String.join(" ", args) + " -> " + r.status() + " " + r.err());
            assertThat(r.err()).as("%s", args).doesNotContain("\tat ").doesNotContain("internal error");
            assertThat(r.status()).as("%s: %s", args, r.err()).isEqualTo(status);
            assertThat(r.err()).as("%s", args).isEqualTo("mallocscope: " + line + "\n");
        }
        assertThat(seen).hasSize(COMMANDS.size());
    }

    @Test
    void aMissingFile() {
        String missing = dir.resolve("nope.rep").toString();
        everyCommand(missing, 2, missing + ": no such file");
    }

    @Test
    void aDirectory() {
        String d = dir.resolve("a-directory.rep").toString();
        everyCommand(d, 2, d + ": it is a directory, not a trace or a timeline");
    }

    /** A link to itself: what the kernel says (ELOOP), in every command, not "permission denied". */
    @Test
    void aSymbolicLinkLoop() throws IOException {
        Path loop = dir.resolve("loop.rep");
        if (!Files.isSymbolicLink(loop)) {
            Files.createSymbolicLink(loop, loop.getFileName());
        }
        everyCommand(loop.toString(), 2, loop + ": it is a symbolic link loop (too many levels of symbolic links), "
                + "not a trace or a timeline");
        CliRun.Result out = run("timeline", CliRun.trace("fastbin-lifo"), "--out", loop.toString());
        assertThat(out.status()).isEqualTo(2);
        assertThat(out.err()).isEqualTo("mallocscope: cannot write " + loop + ": it is a symbolic link loop (too many "
                + "levels of symbolic links); --out writes a regular file (or a device: /dev/stdout, /dev/null)\n");
        UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
                () -> RunCommand.claimTimeline(loop, true));
        assertThat(e.getMessage()).isEqualTo("cannot write " + loop + ": it is a symbolic link loop (too many levels "
                + "of symbolic links); the timeline goes to a regular file");
    }

    @Test
    void binaryGarbageInATrace() throws IOException {
        Path f = bytes("garbage.rep", new byte[] {0, 1, 2, (byte) 0x89, 'P', 'N', 'G', '\n'});
        everyCommand(f.toString(), 1, f + ":1: byte 0x00 in '\\x00\\x01\\x02\\x89PNG': operations are plain ASCII "
                + "(other bytes only in # comments)");
    }

    @Test
    void aHugeNumberIsCutShort() throws IOException {
        Path f = text("huge.rep", "a 0 " + "7".repeat(1_000_000) + "\n");
        everyCommand(f.toString(), 1, f + ":1: expected an unsigned number, got '" + "7".repeat(40)
                + "… (1000000 characters)' (too large)");
    }

    @Test
    void aBadTunablesLineIsAUsageErrorInEveryCommand() throws IOException {
        Path f = text("tunables.rep", "# tunables: glibc.malloc.nonsense=1\na 0 24\nf 0\n");
        CliRun.Result r = run("replay", f.toString());
        assertThat(r.status()).isEqualTo(2);
        String line = r.err().strip();
        assertThat(line).startsWith("mallocscope: " + f + ": its '# tunables:' line: ");
        everyCommand(f.toString(), 2, line.substring("mallocscope: ".length()));
    }

    /** A device that never ends is refused at its first bytes, not copied until the disk is full. */
    @Test
    void anEndlessBinaryDevice() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(Path.of("/dev/zero")), "no /dev/zero");
        everyCommand("/dev/zero", 2, "/dev/zero: it is a device whose first bytes are binary, not a trace or a timeline");
    }

    @Test
    void aFileThatIsNeitherTraceNorTimeline() throws IOException {
        Path f = text("notes.txt", "hello\n");
        CliRun.Result r = run("heap", f.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("mallocscope: " + f).doesNotContain("\tat ").hasLineCount(1);
    }

    /** What is not an error: a Latin-1 comment, a UTF-8 byte-order mark, a trace on standard input. */
    @Test
    void latin1CommentsAByteOrderMarkAndStandardInputAreFine() throws IOException {
        Path latin1 = bytes("latin1.rep", new byte[] {'#', ' ', 'c', 'a', 'f', (byte) 0xe9, '\n', 'a', ' ', '0', ' ', '2',
            '4', '\n', 'f', ' ', '0', '\n'});
        Path bom = bytes("bom.rep", new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, 'a', ' ', '0', ' ', '2', '4', '\n',
            'f', ' ', '0', '\n'});
        String expected = "a 0 H+0x2a0 0x21\nbrk H+0x21000\n";
        for (Path f : List.of(latin1, bom)) {
            CliRun.Result r = run("replay", f.toString());
            assertThat(r.status()).as("%s: %s", f, r.err()).isZero();
            assertThat(r.out()).startsWith(expected);
        }
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(Files.readAllBytes(latin1)));
            CliRun.Result r = run("replay", "-");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).startsWith(expected);
            System.setIn(new ByteArrayInputStream("a 0 24\nq\n".getBytes(StandardCharsets.US_ASCII)));
            r = run("bins", "-");
            assertThat(r.status()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("mallocscope: -:2: unknown op 'q' (expected one of a f r c t m o s)\n");
        } finally {
            System.setIn(saved);
        }
    }
}
