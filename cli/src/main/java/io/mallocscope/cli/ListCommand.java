package io.mallocscope.cli;

import io.mallocscope.samples.Samples;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code mallocscope list}: the sample programs in teaching order. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the sample programs, in teaching order.")
final class ListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int width = Samples.list().stream().mapToInt(i -> i.name().length()).max().orElse(10);
        for (Samples.Info i : Samples.list()) {
            out.printf("%2d  %-" + width + "s  %s%n", i.number(), i.name(), i.description());
        }
        out.flush();
        return Exit.OK;
    }
}
