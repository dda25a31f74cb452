package io.mallocscope.agent.it;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.samples.Replay;

/** Runs the replay sample the way the samples jar's main does (until it is registered in Samples.ALL). */
public final class RunReplay {
    public static void main(String[] args) {
        System.exit(CProcess.create(ProcessOptions.fromEnvironment().withProgramName("replay"))
                .run(new Replay(), args).code());
    }
}
