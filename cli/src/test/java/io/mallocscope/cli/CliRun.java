package io.mallocscope.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the command line as a user would, capturing stdout and stderr through picocli's writers. */
final class CliRun {
    static final Path TRACES = Path.of("src/test/resources/traces");

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
