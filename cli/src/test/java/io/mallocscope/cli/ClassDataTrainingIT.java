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
        assertThat(ClassDataTraining.train(dir)).isZero();
        Path t = dir.resolve("first-fit.timeline");
        Timeline timeline = Timeline.read(t);
        assertThat(timeline.steps()).isEqualTo(4);
        // the views at step 3 started from the checkpoint at step 2
        assertThat(timeline.checkpoints()).get().extracting(Checkpoints::count).isEqualTo(2);
        assertThat(Files.isRegularFile(Checkpoints.sideFile(t))).isTrue();
    }
}
