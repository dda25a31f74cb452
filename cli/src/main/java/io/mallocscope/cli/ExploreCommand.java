package io.mallocscope.cli;

import io.mallocscope.cli.explore.ExploreUi;
import io.mallocscope.cli.explore.Explorer;
import io.mallocscope.cli.source.StateSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.concurrent.Callable;

/** {@code mallocscope explore SOURCE [--at N]}: step through a timeline or a trace in the terminal. */
@Command(name = "explore", mixinStandardHelpOptions = true,
        description = "Step through a timeline or a trace in the terminal: the call and its narration, the heap, "
                + "the bins and vis at each step; follow a chunk, run back or forward to where a bin, chunk or "
                + "address changed.")
final class ExploreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    SourceOptions options;

    @Override
    public Integer call() throws IOException {
        StateSource s = options.open(spec.commandLine().getErr());
        int start = options.at == null ? 0 : options.at;
        SourceOptions.checkStep(s, start, "--at");
        if (!Terminal.isTerminal() || !Terminal.stdinIsTerminal()) {
            throw UserError.usage("explore needs a terminal on its standard input and output (for a file or a pipe: "
                    + "timeline, heap, bins or vis SOURCE --at N)");
        }
        spec.commandLine().getErr().flush();
        new ExploreUi(new Explorer(s, start, options.source)).run();
        return Exit.OK;
    }
}
