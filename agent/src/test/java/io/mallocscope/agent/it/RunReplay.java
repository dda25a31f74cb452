package io.mallocscope.agent.it;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.samples.Replay;

/** Runs the replay tool (Samples.TOOLS) the way the samples jar's main does. */
public final class RunReplay {
    public static void main(String[] args) {
        System.exit(CProcess.create(ProcessOptions.fromEnvironment().withProgramName("replay"))
                .run(new Replay(), args).code());
    }
}
