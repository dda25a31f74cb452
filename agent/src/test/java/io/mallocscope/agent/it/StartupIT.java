package io.mallocscope.agent.it;

import io.mallocscope.runtime.timeline.Event;
import io.mallocscope.runtime.timeline.Timeline;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a run under the agent loads at start-up (docs/agent.md, "Call sites"): a sample's first run,
 * its call-site cache empty, takes the samples' classes as the build marked them, so it loads neither
 * ByteBuddy nor ASM (nor java.time's zone rules) and writes no cache entry; a user's program is marked by ASM on its first run and
 * taken from the cache on the next, with the same sites.
 */
class StartupIT {
    @TempDir
    Path dir;

    @BeforeAll
    static void locate() {
        AgentIT.locate();
    }

    /** Runs java with the agent, XDG_CACHE_HOME=cache and class loading logged; the names of the classes loaded. */
    private List<String> run(Path cache, String agentArgs, String... command) throws Exception {
        Path log = dir.resolve("classes.log");
        List<String> cmd = new ArrayList<>(List.of(AgentIT.java(), "-Xlog:class+load=info:file=" + log + ":none",
                "-javaagent:" + AgentIT.agentJar + "=" + agentArgs));
        cmd.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("XDG_CACHE_HOME", cache.toString());
        pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("err.txt"))).doesNotContain("mallocscope: cannot");
        List<String> loaded = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            loaded.add(line.split(" ")[0]); // NAME source: WHERE
        }
        return loaded;
    }

    private static long files(Path root) throws Exception {
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    private static List<String> sites(Path timeline) throws Exception {
        Timeline t = Timeline.read(timeline);
        List<String> sites = new ArrayList<>();
        for (Event call : AgentIT.topLevelCalls(t)) {
            sites.add(call.site());
        }
        return sites;
    }

    @Test
    void aSamplesFirstRunLoadsNeitherByteBuddyNorAsmAndCachesNothing() throws Exception {
        Path cache = dir.resolve("cache");
        Path out = dir.resolve("ff.timeline");
        List<String> loaded = run(cache, "out=" + out + ",quiet", "-jar", AgentIT.samplesJar.toString(), "first-fit");
        assertThat(loaded).contains("io.mallocscope.agent.CallSites", "io.mallocscope.agent.ShippedSites",
                "io.mallocscope.samples.FirstFit", "io.mallocscope.runtime.LibC");
        assertThat(loaded).noneMatch(c -> c.startsWith("io.mallocscope.agent.shaded."));
        // the header's start time is written without java.time's zone rules (StartTime)
        assertThat(loaded).doesNotContain("java.time.zone.TzdbZoneRulesProvider", "java.time.ZonedDateTime");
        // no record's equals, hashCode or toString on the way (each is bootstrapped through invokedynamic:
        // TimelineHeader's ProgramImage.equals cost the start ~30 ms of CPU and ~80 classes)
        assertThat(loaded).doesNotContain("java.lang.runtime.ObjectMethods");
        assertThat(files(cache)).isZero();
        assertThat(sites(out)).hasSize(4).allMatch(s -> s.matches("FirstFit\\.java:\\d+"));
        assertThat(sites(out).get(0)).isNotEqualTo(sites(out).get(1));
    }

    @Test
    void aUsersProgramIsMarkedByAsmOnceThenTakenFromTheCache() throws Exception {
        Path cache = dir.resolve("cache");
        String cp = AgentIT.runtimeCp + File.pathSeparator + AgentIT.testClasses;
        Path first = dir.resolve("first.timeline");
        List<String> loaded = run(cache, "out=" + first + ",quiet", "-cp", cp, CourseWork.class.getName());
        assertThat(loaded).anyMatch(c -> c.startsWith("io.mallocscope.agent.shaded.asm."));
        assertThat(files(cache)).isEqualTo(1); // CourseWork's entry

        Path second = dir.resolve("second.timeline");
        loaded = run(cache, "out=" + second + ",quiet", "-cp", cp, CourseWork.class.getName());
        assertThat(loaded).contains("io.mallocscope.agent.it.CourseWork")
                .noneMatch(c -> c.startsWith("io.mallocscope.agent.shaded."));
        assertThat(sites(second)).hasSize(4).doesNotHaveDuplicates().isEqualTo(sites(first))
                .allMatch(s -> s.matches("CourseWork\\.java:\\d+"));
    }
}
