package io.mallocscope.cli;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ExitStatus;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.samples.Samples;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code mallocscope run PROGRAM [ARGS…]}: runs a sample program. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a sample program and show what malloc did.")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PROGRAM", description = "A sample name (see 'mallocscope list').")
    String program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the program.")
    List<String> args = List.of();

    @Option(names = "--glibc", paramLabel = "VERSION", description = "glibc profile (default: ${DEFAULT-VALUE}).",
            defaultValue = "2.36")
    String glibc;

    @Option(names = "--tunables", paramLabel = "TUNABLES", description = "GLIBC_TUNABLES, e.g. glibc.malloc.tcache_count=0")
    String tunables;

    @Override
    public Integer call() {
        Optional<Samples.Info> info = Samples.find(program);
        if (info.isEmpty()) {
            spec.commandLine().getErr().println("mallocscope: unknown program '" + program
                    + "' ('mallocscope list' shows the samples)");
            return 2;
        }
        ProcessOptions options = ProcessOptions.defaults().withProgramName(program).withGlibc(glibc)
                .withTunables(tunables);
        ExitStatus status = CProcess.create(options).run(info.get().newInstance(), args.toArray(String[]::new));
        spec.commandLine().getErr().println("mallocscope: the timeline is not available yet (the recording agent has not landed).");
        return status.code();
    }
}
