package io.mallocscope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The launcher's JIT flag for a long replay (-XX:FreqInlineSize=150) is given to the offsets replay
 * only: not to --format text, nor to --stats, whose printed time it would change, nor to other commands.
 */
class LauncherJitIT {
    private static final Pattern FREQ_INLINE = Pattern.compile("intx FreqInlineSize\\s+=\\s+(\\d+)");

    /** The FreqInlineSize the JVM the launcher started ran with (its flags printed through MALLOCSCOPE_JAVA_OPTS). */
    private static int freqInlineSize(Path dir, String... args) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("mallocscope.home", "..")).toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>(List.of(root.resolve("mallocscope").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("MALLOCSCOPE_JAVA_OPTS", "-XX:+PrintFlagsFinal");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        Matcher m = FREQ_INLINE.matcher(out);
        assertThat(m.find()).as("the JVM's flags in: %s", out.length() > 300 ? out.substring(0, 300) : out).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void theInliningFlagIsForTheOffsetsReplayOnly(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(Home.samplesJar()), "the samples jar is not built: " + Home.samplesJar());
        Path t = dir.resolve("t.rep");
        Files.writeString(t, "a 0 24\na 1 40\nf 0\n");
        assertThat(freqInlineSize(dir, "replay", t.toString())).isEqualTo(150);
        assertThat(freqInlineSize(dir, "replay", t.toString(), "--format", "offsets")).isEqualTo(150);
        assertThat(freqInlineSize(dir, "replay", "--format=text", t.toString())).isEqualTo(325);
        assertThat(freqInlineSize(dir, "replay", t.toString(), "--format", "text")).isEqualTo(325);
        assertThat(freqInlineSize(dir, "replay", t.toString(), "--stats")).isEqualTo(325);
        assertThat(freqInlineSize(dir, "list")).as("other commands").isEqualTo(325);
    }
}
