package io.mallocscope.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line itself: help, list, exit statuses for usage errors, no stack traces. */
class MainTest {
    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void listShowsTheSamplesNumberedWithTheirDescription() {
        Result r = run("list");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith(" 1  ");
        assertThat(r.out()).containsPattern("(?m)^ *\\d+  first-fit +glibc hands a freed chunk to the next request that fits");
    }

    @Test
    void everySubcommandHasHelp() {
        for (String cmd : new String[] {"list", "run", "replay", "heap", "bins", "vis", "maps", "timeline", "diff",
                "try-free", "find-fake-fast", "completion"}) {
            Result r = run(cmd, "--help");
            assertThat(r.status()).as(cmd).isZero();
            assertThat(r.out()).as(cmd).contains("Usage: mallocscope " + cmd);
        }
    }

    @Test
    void diffHelpGivesTheRealDefaultOfAt() {
        Result r = run("diff", "--help");
        assertThat(r.out().replaceAll("\\s+", " ")).contains("default: M-1)").doesNotContain("the end");
        assertThat(run("heap", "--help").out().replaceAll("\\s+", " ")).contains("default: the end");
    }

    @Test
    void unknownCommandIsAUsageErrorWithASuggestion() {
        Result r = run("bnis");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("mallocscope: Unmatched argument at index 0: 'bnis'");
        assertThat(r.err()).contains("Did you mean: mallocscope ");
        assertThat(r.err()).doesNotContain("\tat ");
    }

    @Test
    void unknownOptionIsAUsageError() {
        Result r = run("bins", "x.rep", "--fromat", "json");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("mallocscope: Unknown options: '--fromat', 'json'\nDid you mean: --format?\n");
        assertThat(r.err()).contains("Try 'mallocscope bins --help' for more information.");
    }

    @Test
    void badEnumValueIsAUsageError() {
        Result r = run("bins", "x.rep", "--format", "xml");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("Invalid value for option '--format'");
        assertThat(r.err()).contains("text, json");
    }

    @Test
    void missingSourceFileIsAUsageErrorWithoutStackTrace() {
        Result r = run("heap", "does-not-exist.timeline");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: does-not-exist.timeline: no such file\n");
    }

    @Test
    void unknownSampleIsAUsageError() {
        Result r = run("run", "no-such-sample");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("unknown program 'no-such-sample'");
    }

    @Test
    void diffNeedsTo() {
        Result r = run("diff", "x.rep", "--at", "1");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option: '--to=M'");
    }

    @Test
    void completionScriptCoversTheSubcommands() {
        Result r = run("completion");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("complete -F _complete_mallocscope");
        assertThat(r.out()).contains("heap").contains("bins").contains("timeline");
        assertThat(r.out()).contains("try-free").contains("find-fake-fast");
    }

    @Test
    void colorOptionRejectsUnknownWhen() {
        Result r = run("heap", "x.rep", "--color=sometimes");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("auto, always, never");
    }
}
