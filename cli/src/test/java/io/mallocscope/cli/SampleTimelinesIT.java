package io.mallocscope.cli;

import io.mallocscope.cli.testing.TimeTravel;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.timeline.ProgramOutput;
import io.mallocscope.runtime.timeline.Reconstructor;
import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.samples.Samples;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every sample, recorded as a user records it ({@code run}: a forked JVM with the agent): it ends with
 * the status it is meant to, its timeline reads to the end, rebuilding its last step replays every
 * recorded call to the same result, what it printed is in the timeline, a sample glibc stops has
 * glibc's message in an {@code abort} event, and its views at random steps are the same restored from
 * checkpoints as rebuilt from step 0.
 */
class SampleTimelinesIT {
    static final Path DIR = Path.of("target/it/samples");

    @BeforeAll
    static void jars() throws IOException {
        assumeTrue(Files.isRegularFile(Home.samplesJar()), "the samples jar is not built: " + Home.samplesJar());
        assumeTrue(Home.agentJar().isPresent(), "the agent jar is not built (or has no Premain-Class)");
        Files.createDirectories(DIR);
    }

    @TestFactory
    Stream<DynamicTest> eachSampleRecordsATimelineThatRebuildsItsRun() {
        return Samples.list().stream().filter(i -> !i.name().equals("replay")).map(info -> DynamicTest.dynamicTest(
                info.number() + " " + info.name(), () -> {
                    Path file = DIR.resolve(info.name() + ".timeline");
                    CliRun.Result r = run("run", "--out", file.toString(), "--view", "none", "--color=never",
                            info.name());
                    assertThat(r.status()).as("exit status of %s", info.name()).isEqualTo(info.expectedStatus());

                    Timeline t = Timeline.read(file);
                    assertThat(t.problem()).as("the timeline reads to the end").isEmpty();
                    assertThat(t.steps()).as("top-level calls recorded").isPositive();

                    Reconstructor rebuilt = new Reconstructor(t);
                    rebuilt.stateAt(t.steps());
                    assertThat(rebuilt.problem()).as("every recorded call replays to its recorded result").isEmpty();

                    String recordedStderr = t.output().stream().filter(ProgramOutput::isStderr)
                            .map(ProgramOutput::text).collect(Collectors.joining());
                    String firstLine = r.err().lines().filter(l -> !l.startsWith("mallocscope:")).findFirst()
                            .orElse("");
                    assertThat(recordedStderr).as("what the program printed on stderr is in the timeline")
                            .contains(firstLine);

                    boolean aborted = false;
                    for (int i = 0; i < t.size(); i++) {
                        if (t.kind(i) == EventKind.ABORT) {
                            aborted = true;
                            assertThat(recordedStderr).contains(t.event(i).message());
                        }
                    }
                    assertThat(aborted).as("an abort event exactly when glibc stopped the program")
                            .isEqualTo(info.expectedStatus() == 134);

                    // #16.4: restored from checkpoints every 2 steps, the views at 12 random steps are the from-zero ones
                    TimeTravel.viewsMatchFromZero(file, 2, 12, info.number());
                }));
    }
}
