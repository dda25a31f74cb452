package io.mallocscope.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Write errors on standard output stop the command: one line for a full disk, quiet 141 for a closed pipe. */
class StdoutTest {
    /** A stream that takes {@code room} bytes, then fails every write with {@code why}. */
    static OutputStream failingAfter(int room, String why) {
        return new OutputStream() {
            int left = room;

            @Override
            public void write(int b) throws IOException {
                if (left-- <= 0) {
                    throw new IOException(why);
                }
            }
        };
    }

    static int run(OutputStream stdout, StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        PrintWriter out = Stdout.writer(stdout);
        cl.setOut(out);
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        try {
            out.flush();
        } catch (Stdout.Failed f) {
            status = status == 0 ? f.report(cl.getErr()) : status;
        }
        return status;
    }

    @Test
    void aFullDiskIsOneLineAndStatusOne() {
        StringWriter err = new StringWriter();
        assertThat(run(failingAfter(0, "No space left on device"), err, "list")).isEqualTo(1);
        assertThat(err).hasToString("mallocscope: cannot write to standard output: No space left on device\n");
    }

    @Test
    void aClosedPipeEndsTheCommandQuietlyWith141() {
        StringWriter err = new StringWriter();
        String trace = CliRun.trace("worked-brief-example");
        assertThat(run(failingAfter(100, "Broken pipe"), err, "replay", "--format", "text", trace)).isEqualTo(141);
        assertThat(err).hasToString("");
    }

    /** The real thing: the CLI's JVM writing to /dev/full, a command's output and the help alike. */
    @Test
    void devFull() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "no /dev/full");
        for (String[] args : new String[][] {{"list"}, {"--help"}, {"heap", "--help"}, {"-V"}}) {
            List<String> cmd = new ArrayList<>(List.of(Home.java().toString(), "-cp", System.getProperty("java.class.path"),
                    Main.class.getName()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectOutput(full.toFile()).start();
            String err = new String(p.getErrorStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(err).as(String.join(" ", args))
                    .isEqualTo("mallocscope: cannot write to standard output: No space left on device\n");
        }
    }
}
