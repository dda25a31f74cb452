package io.mallocscope.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue #17: every command README.md and docs/*.md show at a {@code $ } prompt runs, from a scratch
 * directory, through the {@code mallocscope} launcher, and prints what the docs show (stdout and
 * stderr together, as a terminal shows them; the exit status where the docs {@code echo $?}).
 *
 * <p>Only what must vary is normalised: the directory a timeline goes to ({@code /tmp/mallocscope-USER/}
 * shows as {@code <tmp>/}), a timeline's byte count and timestamps, and blank lines at the end (a
 * fenced block cannot show them). In the docs' output a line that is
 * just {@code …} stands for any number of lines and {@code …} inside a line for any text: the docs use
 * it where they cut a long output short. Commands that cannot run in a test are listed in
 * {@link #NOT_RUN} with the reason; a block of commands is one shell session, so a command may use a
 * file an earlier one made.
 */
class DocumentedCommandsIT {
    private static final Pattern FENCE = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL);

    /** Commands shown but not run here, and why. */
    private static final List<String> NOT_RUN = List.of(
            "xdg-open",           // opens a browser
            "source <(");         // changes the reader's shell

    record Command(String doc, int line, String text, String shown) {
    }

    @TestFactory
    Stream<DynamicTest> everyCommandShownRunsAsShown() throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("mallocscope.home", "..")).toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(Home.samplesJar()), "the samples jar is not built: " + Home.samplesJar());
        assumeTrue(Home.agentJar().isPresent(), "the agent jar is not built");
        Path scratch = Path.of("target/docs-commands").toAbsolutePath();
        deleteTree(scratch);
        Files.createDirectories(scratch.resolve("tmp"));
        Files.writeString(scratch.resolve("mallocscope"), "#!/usr/bin/env bash\nexec '" + root.resolve("mallocscope")
                + "' \"$@\"\n");
        scratch.resolve("mallocscope").toFile().setExecutable(true);
        for (String dir : List.of("runtime", "sample-programs", "agent", "cfront", "cli", "examples")) {
            Files.createSymbolicLink(scratch.resolve(dir), root.resolve(dir));
        }
        // the timeline the cli.md examples look at, made by the command cli.md shows for it, in the
        // directory where alice's earlier `run` left it
        Files.createDirectories(scratch.resolve("tmp/mallocscope-alice"));
        shell(scratch, inScratch(scratch,
                "./mallocscope run --view none --out /tmp/mallocscope-alice/first-fit.timeline first-fit"));

        List<Path> docs = new ArrayList<>();
        docs.add(root.resolve("README.md"));
        try (Stream<Path> s = Files.list(root.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path doc : docs) {
            String md = Files.readString(doc);
            Matcher m = FENCE.matcher(md);
            while (m.find()) {
                List<Command> block = commands(root.relativize(doc).toString(), md.substring(0, m.start())
                        .split("\n", -1).length, m.group(2));
                if (block.isEmpty()) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(block.get(0).doc() + ":" + block.get(0).line(),
                        () -> runBlock(scratch, block)));
            }
        }
        assertThat(tests).hasSizeGreaterThan(10);
        return tests.stream();
    }

    /** The {@code $ } commands of one fenced block, each with the lines shown after it. */
    static List<Command> commands(String doc, int firstLine, String block) {
        List<Command> out = new ArrayList<>();
        String[] lines = block.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("$ ")) {
                continue;
            }
            StringBuilder text = new StringBuilder(lines[i].substring(2));
            int j = i + 1;
            while (text.toString().endsWith("\\") && j < lines.length) { // a command continued on the next line
                text.setLength(text.length() - 1);
                text.append(lines[j++].strip().replaceFirst("^", " "));
            }
            StringBuilder shown = new StringBuilder();
            for (; j < lines.length && !lines[j].startsWith("$ "); j++) {
                shown.append(lines[j]).append('\n');
            }
            out.add(new Command(doc, firstLine + i + 1, text.toString(), shown.toString().replaceAll("\\n+$", "\n")));
            i = j - 1;
        }
        return out;
    }

    private static void runBlock(Path scratch, List<Command> block) throws Exception {
        StringBuilder script = new StringBuilder("cd '" + scratch + "'\n__status=0\n");
        List<Command> run = new ArrayList<>();
        for (Command c : block) {
            if (NOT_RUN.stream().anyMatch(c.text()::contains)) {
                continue;
            }
            run.add(c);
            // the marker's echo must not hide the last status from a shown `echo $?`
            script.append("echo '@@@'\n(exit $__status)\n").append(inScratch(scratch, c.text())).append(" 2>&1\n")
                    .append("__status=$?\n");
        }
        if (run.isEmpty()) {
            return;
        }
        String[] outputs = shell(scratch, script.toString()).split("@@@\n", -1);
        for (int i = 0; i < run.size(); i++) {
            Command c = run.get(i);
            String actual = normalise(outputs[i + 1]);
            String shown = normalise(c.shown());
            assertThat(matches(shown, actual))
                    .as(c.doc() + ":" + c.line() + " $ " + c.text() + "\n--- the docs show:\n" + shown
                            + "--- it prints:\n" + actual)
                    .isTrue();
        }
    }

    /** The docs' example user's directory is the scratch directory's, so nothing outside it is touched. */
    private static String inScratch(Path scratch, String command) {
        return command.replace("/tmp/mallocscope-alice/", scratch + "/tmp/mallocscope-alice/");
    }

    static String normalise(String s) {
        // a fenced block cannot show the blank lines an output ends with
        return s.replaceAll("\\n+$", "\n").replace("mallocscope: building the jars first (./mvnw package, tests skipped; this takes a minute once)...\n", "")
                .replace("mallocscope: preparing the class data archive (once per build: later runs start faster)...\n", "")
                .replaceAll("\\S*/mallocscope-[A-Za-z0-9._-]+/", "<tmp>/")
                .replaceAll("(\\d+ events), \\d+ bytes\\)", "$1, … bytes)")
                .replaceAll("-\\d{8}-\\d{6}\\.timeline", "-….timeline")
                .replaceAll("\"start_time\":\"[^\"]*\"", "\"start_time\":\"…\"");
    }

    /** Whether {@code actual} is what {@code shown} shows, "…" standing for what the docs leave out. */
    static boolean matches(String shown, String actual) {
        StringBuilder re = new StringBuilder("(?s)");
        for (String line : shown.split("\n", -1)) {
            if (line.equals("…")) {
                re.append("(?:.*\\n)?");
                continue;
            }
            String[] parts = line.split("…", -1);
            for (int k = 0; k < parts.length; k++) {
                re.append(Pattern.quote(parts[k]));
                if (k < parts.length - 1) {
                    re.append("[^\\n]*");
                }
            }
            re.append("\\n");
        }
        String pattern = re.substring(0, re.length() - 2); // the split's last, empty element added one "\n"
        return Pattern.compile(pattern).matcher(actual.endsWith("\n") ? actual : actual + "\n").matches()
                || Pattern.compile(pattern).matcher(actual).matches();
    }

    private static String shell(Path dir, String script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", dir + ":" + System.getenv("PATH"));
        pb.environment().put("TMPDIR", dir.resolve("tmp").toString());
        pb.environment().remove("NO_COLOR");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
