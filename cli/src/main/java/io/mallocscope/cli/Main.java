package io.mallocscope.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mallocscope} command. */
@Command(name = "mallocscope", mixinStandardHelpOptions = true, version = "mallocscope 0.1.0",
        description = "glibc's malloc, made visible.",
        subcommands = {ListCommand.class, RunCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (tests call {@code execute} on it with their own writers). */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
