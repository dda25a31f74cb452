package io.mallocscope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code explore}'s bad input, without a terminal (the tests' standard input is not one): one line,
 * the contract's status, nothing on stdout. ExploreIT runs it in a real terminal.
 */
class ExploreCommandTest {
    @TempDir
    Path dir;

    @Test
    void withoutATerminalItSaysWhatToUseInstead() {
        CliRun.Result r = CliRun.run("explore", CliRun.trace("coalesce-backward-forward-top"));
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: explore needs a terminal on its standard input and output "
                + "(for a file or a pipe: timeline, heap, bins or vis SOURCE --at N)" + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aBadSourceIsSaidBeforeTheTerminalIsAskedFor() throws IOException {
        Path missing = dir.resolve("missing.timeline");
        CliRun.Result r = CliRun.run("explore", missing.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: " + missing + ": no such file" + System.lineSeparator());

        Path bad = Files.writeString(dir.resolve("bad.rep"), "a 0 24\nq 1\n");
        r = CliRun.run("explore", bad.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mallocscope: " + bad + ":2: unknown op 'q' (expected one of a f r c t m o s)"
                + System.lineSeparator());

        r = CliRun.run("explore", CliRun.trace("coalesce-backward-forward-top"), "--at", "99");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("mallocscope: --at 99 is out of range: ");
        assertThat(r.err().lines().count()).isEqualTo(1);
    }
}
