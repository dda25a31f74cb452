package io.mallocscope.cli;

import io.mallocscope.cli.testing.RuntimeTraces;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the command line as a user would, capturing stdout and stderr through picocli's writers. */
final class CliRun {
    /** The runtime's traces (its test-jar), whose glibc 2.36 outputs are {@link #GOLDEN}. */
    static final Path TRACES = RuntimeTraces.traces();
    static final Path GOLDEN = RuntimeTraces.golden("2.36");

    record Result(int status, String out, String err) {
    }

    private CliRun() {
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

    static String trace(String name) {
        return TRACES.resolve(name + ".rep").toString();
    }
}
