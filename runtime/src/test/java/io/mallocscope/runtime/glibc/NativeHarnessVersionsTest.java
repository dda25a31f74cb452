package io.mallocscope.runtime.glibc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The golden files of the fetched glibc versions (2.31, 2.41, 2.43) are what Debian's real
 * libraries print, and a few facts of the versions sheet hold on them. Each live test is skipped,
 * with the reason, where the library cannot be fetched (no apt, no network).
 */
class NativeHarnessVersionsTest {

    private static final List<String> FETCHED = List.of("2.31", "2.41", "2.43");
    private static final Path TRACES = Path.of("src/test/resources/traces");
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final Path FETCH_SCRIPT = Path.of("../scripts/fetch-glibc.sh");

    private static NativeHarness harness(String version) {
        var h = NativeHarness.forVersion(version);
        Assumptions.assumeTrue(h.isPresent(), NativeHarness.skipReason(version));
        return h.get();
    }

    private static List<Path> traces() throws IOException {
        List<Path> traces = new ArrayList<>();
        try (Stream<Path> s = Files.list(TRACES)) {
            s.filter(p -> p.toString().endsWith(".rep")).sorted().forEach(traces::add);
        }
        return traces;
    }

    private static String name(Path trace) {
        return trace.getFileName().toString().replaceFirst("\\.rep$", "");
    }

    /** Every version directory holds exactly one golden file per trace, and says which library made it. */
    @Test
    void everyVersionHasOneGoldenFilePerTrace() throws IOException {
        List<String> expected = traces().stream().map(t -> name(t) + ".out").toList();
        assertThat(expected).hasSizeGreaterThan(50);
        for (String version : NativeHarness.VERSIONS) {
            Path dir = GOLDEN.resolve(version);
            List<String> outs;
            try (Stream<Path> s = Files.list(dir)) {
                outs = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".out")).sorted().toList();
            }
            assertThat(outs).as("golden/%s (run scripts/record-golden.sh %s)", version, version)
                    .containsExactlyElementsOf(expected);
            assertThat(Files.readString(dir.resolve("LIBRARY"), StandardCharsets.UTF_8).strip())
                    .as("golden/%s/LIBRARY", version)
                    .startsWith("libc6 " + version + "-");
        }
    }

    /** Replays every trace on each fetched glibc and compares with the committed golden file. */
    @TestFactory
    Stream<DynamicNode> goldenFilesAreWhatTheRealLibraryPrints() throws IOException {
        List<Path> traces = traces();
        return FETCHED.stream().map(version -> DynamicContainer.dynamicContainer("glibc " + version,
                traces.stream().map(trace -> DynamicTest.dynamicTest(name(trace), () -> {
                    NativeHarness h = harness(version);
                    String recordedWith = Files.readString(GOLDEN.resolve(version).resolve("LIBRARY"),
                            StandardCharsets.UTF_8).strip();
                    Assumptions.assumeTrue(h.library().equals(recordedWith), () -> "golden/" + version
                            + " was recorded with " + recordedWith + " but the mirror now serves " + h.library()
                            + "; re-record with scripts/record-golden.sh " + version);
                    Path golden = GOLDEN.resolve(version).resolve(name(trace) + ".out");
                    assertThat(h.run(trace)).as("glibc %s on %s", version, name(trace))
                            .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
                }))));
    }

    /** Versions sheet §1.1: on 2.31 GLIBC_TUNABLES (here L = 43 bytes) moves the break at main. */
    @Test
    void glibc231TunablesMoveTheInitialBreak() {
        NativeHarness h = harness("2.31");
        assertThat(h.runText("a 0 24\n", null).split("\n")).containsExactly(
                "a 0 H+0x2a0 0x21",
                "brk H+0x21000",
                "mallinfo arena=135168 ordblks=1 smblks=0 hblks=0 hblkhd=0 fsmblks=0 uordblks=688"
                        + " fordblks=134480 keepcost=134480");
        assertThat(h.runText("a 0 24\n", "glibc.malloc.tcache_count=0").split("\n"))
                .startsWith("a 0 H+0x2a5 0x21", "brk H+0x21fd5")
                .anyMatch(l -> l.startsWith("mallinfo arena=139221 "));
    }

    /** Versions sheet §2.2: from 2.41 calloc takes a cached chunk (2.36 would give H+0x2c0). */
    @Test
    void glibc241CallocUsesTheTcache() {
        assertThat(harness("2.41").runText("a 0 24\nf 0\nc 1 24\n", null)).startsWith("a 0 H+0x2a0 0x21\nc 1 H+0x2a0 0x21\n");
    }

    /**
     * Versions sheet §3.1 and §3.6: on 2.43 the first malloc is at the break (the tcache struct, chunk
     * 0x300, is made by the first free), mmapped size words are the mapping minus 0x10, and every
     * mremap leaves hblkhd 16 too high.
     */
    @Test
    void glibc243LazyTcacheAndMmapLayout() {
        NativeHarness h = harness("2.43");
        // a at +0x10, b at +0x30; free(a) puts the struct at chunk +0x40 (ends +0x340), caches a.
        assertThat(h.runText("a 0 24\na 1 24\nf 0\na 2 24\na 3 24\n", null))
                .startsWith("a 0 H+0x10 0x21\na 1 H+0x30 0x21\na 2 H+0x10 0x21\na 3 H+0x350 0x21\n");
        assertThat(h.runText("a 0 200000\nr 0 400000\nf 0\n", null).split("\n")).containsExactly(
                "a 0 M+0x10 0x30ff2",
                "r 0 M+0x10 0x61ff2",
                "brk H+0x0",
                "mallinfo arena=0 ordblks=1 smblks=0 hblks=0 hblkhd=16 fsmblks=0 uordblks=0 fordblks=0 keepcost=0");
    }

    @Test
    void unknownVersionIsRejected() {
        assertThatThrownBy(() -> NativeHarness.forVersion("2.35"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2.35");
    }

    /** An unreachable mirror is reported as "unavailable" (exit 3, one line) within seconds, not a hang. */
    @Test
    void fetchScriptReportsAnUnreachableMirrorAsUnavailable(@TempDir Path cache) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(FETCH_SCRIPT), "no " + FETCH_SCRIPT);
        Path err = cache.resolve("stderr");
        ProcessBuilder pb = new ProcessBuilder("bash", FETCH_SCRIPT.toString(), "--quiet", "2.41")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile());
        pb.environment().put("MALLOCSCOPE_GLIBC_CACHE", cache.resolve("c").toString());
        pb.environment().put("MALLOCSCOPE_DEBIAN_MIRROR", "http://127.0.0.1:9/debian"); // discard port: refused
        pb.environment().put("MALLOCSCOPE_FETCH_TIMEOUT", "20");
        Process p = pb.start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        assertThat(done).as("fetch-glibc.sh finished").isTrue();
        List<String> lines = Files.readAllLines(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit status; stderr: %s", lines).isEqualTo(3);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("fetch-glibc: unavailable: ");
    }

    /** The mirror comes from the sources apt reads (APT_CONFIG honoured), one-line or deb822 format. */
    @Test
    void fetchScriptReadsTheMirrorFromAptsSources(@TempDir Path dir) throws Exception {
        assumeAptTools();
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.createDirectories(etc.resolve("apt.conf.d"));
        Files.createDirectories(etc.resolve("sources.list.d"));
        Files.writeString(etc.resolve("sources.list"), "# deb http://127.0.0.2:9/debian old main\n"
                + "deb [arch=amd64 signed-by=/x.gpg] http://127.0.0.1:9/elsewhere bookworm main\n");
        Files.writeString(etc.resolve("sources.list.d").resolve("m.sources"),
                "Types: deb\nURIs: http://127.0.0.1:9/debian\nSuites: bookworm\nComponents: main\n");
        List<String> lines = runFetch(dir, false);
        assertThat(lines).first().asString().contains("from http://127.0.0.1:9/debian");
        assertThat(lines).last().asString().startsWith("fetch-glibc: unavailable: apt-get update");
    }

    /** No mirror in apt's sources and no MALLOCSCOPE_DEBIAN_MIRROR: one line, status 3, no built-in host. */
    @Test
    void fetchScriptWithoutAMirrorSaysSoInOneLine(@TempDir Path dir) throws Exception {
        assumeAptTools();
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.createDirectories(etc.resolve("apt.conf.d"));
        Files.createDirectories(etc.resolve("sources.list.d"));
        Files.writeString(etc.resolve("sources.list"), "deb http://127.0.0.1:9/ubuntu jammy main\n");
        assertThat(runFetch(dir, true)).containsExactly("fetch-glibc: unavailable: no Debian mirror: this "
                + "machine's apt sources name no .../debian URI; set MALLOCSCOPE_DEBIAN_MIRROR to a mirror URL ending in /debian");
    }

    private static void assumeAptTools() {
        Assumptions.assumeTrue(Files.isRegularFile(FETCH_SCRIPT), "no " + FETCH_SCRIPT);
        for (String tool : List.of("apt-get", "apt-config", "dpkg-deb")) {
            Assumptions.assumeTrue(onPath(tool), tool + " is not installed (a Debian-based machine is needed)");
        }
        Assumptions.assumeTrue(Files.isReadable(Path.of("/usr/share/keyrings/debian-archive-keyring.gpg")),
                "no Debian archive keyring");
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs the script for 2.41 with an apt configuration whose Dir::Etc is dir/etc; its stderr lines. */
    private static List<String> runFetch(Path dir, boolean quiet) throws Exception {
        Path conf = dir.resolve("apt.conf");
        Files.writeString(conf, "Dir::Etc \"" + dir.resolve("etc") + "\";\n");
        Path err = dir.resolve("stderr");
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", FETCH_SCRIPT.toString()));
        if (quiet) {
            cmd.add("--quiet");
        }
        cmd.add("2.41");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile());
        pb.environment().put("MALLOCSCOPE_GLIBC_CACHE", dir.resolve("cache").toString());
        pb.environment().remove("MALLOCSCOPE_DEBIAN_MIRROR");
        pb.environment().put("APT_CONFIG", conf.toString());
        pb.environment().put("MALLOCSCOPE_FETCH_TIMEOUT", "20");
        Process p = pb.start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        assertThat(done).as("fetch-glibc.sh finished").isTrue();
        List<String> lines = Files.readAllLines(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit status; stderr: %s", lines).isEqualTo(3);
        return lines;
    }

    @Test
    void fetchScriptRejectsAnUnknownVersion(@TempDir Path cache) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(FETCH_SCRIPT), "no " + FETCH_SCRIPT);
        ProcessBuilder pb = new ProcessBuilder("bash", FETCH_SCRIPT.toString(), "2.35").redirectErrorStream(true);
        pb.environment().put("MALLOCSCOPE_GLIBC_CACHE", cache.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).isEqualTo("fetch-glibc: unknown glibc version '2.35' (supported: 2.31 2.41 2.43)\n");
    }
}
