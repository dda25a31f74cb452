package io.mallocscope.cli;

import io.mallocscope.runtime.timeline.Checkpoints;
import io.mallocscope.runtime.timeline.Timeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The launcher's class data archive is trained on a run whose every command succeeds, restoring a checkpoint. */
class ClassDataTrainingIT {
    @Test
    void everyTrainingCommandSucceedsAndTheViewsRestoreACheckpoint(@TempDir Path dir) throws IOException {
        assumeTrue(Files.isRegularFile(Home.samplesJar()), "the samples jar is not built: " + Home.samplesJar());
        assumeTrue(Home.agentJar().isPresent(), "the agent jar is not built (or has no Premain-Class)");
        java.io.StringWriter printed = new java.io.StringWriter();
        assertThat(ClassDataTraining.train(dir, new java.io.PrintWriter(printed))).isZero();
        // what the views printed went to the writer (not to the test runner's standard output)
        assertThat(printed.toString()).contains("0x5555555592a0").contains("[heap]");
        Path t = dir.resolve("first-fit.timeline");
        Timeline timeline = Timeline.read(t);
        assertThat(timeline.steps()).isEqualTo(4);
        // the views at step 3 started from the checkpoint at step 2
        assertThat(timeline.checkpoints()).get().extracting(Checkpoints::count).isEqualTo(2);
        assertThat(Files.isRegularFile(Checkpoints.sideFile(t))).isTrue();
    }
}
