package io.mallocscope.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code mallocscope explore} in a real terminal: the built cli jar runs in a tmux session of its own
 * (its own server socket, tmux -S, 110×40), keys go in with {@code send-keys} and the screen comes back with
 * {@code capture-pane}, as a user sees it. On the agent's own recording of large-bin-attack.
 */
class ExploreIT {
    static final Path DIR = Path.of("target/it/explore").toAbsolutePath();
    static Path recording;

    /** A socket of this test's own (tmux -S), outside the shared /tmp/tmux-UID that other tmux users share. */
    final String socket;

    ExploreIT() throws IOException {
        socket = Files.createTempDirectory("mallocscope-explore-it").resolve("tmux").toString();
    }

    /** Why the tests cannot run here, or null: checked in each test, as a skip in @BeforeAll leaves no word in the report. */
    static String noTmux;

    @BeforeAll
    static void record() throws IOException {
        if (tmuxVersion() == null) {
            noTmux = "tmux is not installed: the explorer's terminal test needs it";
            return;
        }
        assumeTrue(Files.isRegularFile(cliJar()), "the cli jar is not built: " + cliJar());
        assumeTrue(Files.isRegularFile(Home.samplesJar()), "the samples jar is not built: " + Home.samplesJar());
        assumeTrue(Home.agentJar().isPresent(), "the agent jar is not built (or has no Premain-Class)");
        Files.createDirectories(DIR);
        recording = DIR.resolve("large-bin-attack.timeline");
        CliRun.Result r = CliRun.run("run", "--out", recording.toString(), "--view", "none", "large-bin-attack");
        assertThat(r.status()).as(r.err()).isZero();
    }

    @BeforeEach
    void needsTmux() {
        assumeTrue(noTmux == null, noTmux);
    }

    @AfterEach
    void killServer() throws Exception {
        if (noTmux == null) {
            tmux("kill-server");
        }
        Path sock = Path.of(socket);
        Files.deleteIfExists(sock);
        Files.deleteIfExists(sock.getParent());
    }

    @Test
    void stepsJumpsFollowsAChunkAndRunsBackToWhereMemoryChanged() throws Exception {
        start("explore " + recording);
        waitFor("step 0 / 8", "#0 before the first call", "no heap yet", "-- bins", "tcachebins");

        keys("n", "n", "n");
        waitFor("step 3 / 8", "#3 malloc(0x418) = 0x5555555596f0   LargeBinAttack.java:39",
                " 0x5555555596e0 0x420   P-- #3   in use");

        keys("g", "8", "Enter");
        // the call pane is what `timeline` prints: the allocator's write into the stack named
        waitFor("step 8 / 8", "#8 malloc(0x438) = 0x555555559f70   LargeBinAttack.java:52",
                "    unsortedbin: 0x5555555596e0 (#3) (0x420) moved to largebins[0x400-0x430]",
                "    largebin insert wrote 0x5555555596e0 to 0x7fffffffe3c0 (stack, not heap memory)",
                "0x400-0x430: 0x555555559290");

        keys("p");
        waitFor("step 7 / 8", "    program wrote 0x7fffffffe3a0 into #1's bk_nextsize (0x5555555592b8): was 0x555555559290");

        // run forward to where the stack word changes: the largebin insert's write
        keys("f", "@0x7fffffffe3c0", "Enter");
        String screen = waitFor("step 8 / 8", "the word at 0x7fffffffe3c0 changed in step 8:", "→ 0x5555555596e0");
        assertThat(line(screen, "the word at 0x7fffffffe3c0 changed in step 8:")).endsWith("→ 0x5555555596e0");

        // run back to where p1 last changed: the insert, then the program's forged bk_nextsize
        keys("r", "0x555555559290", "Enter");
        waitFor("chunk 0x555555559290 changed in step 8: fd 0x7ffff7fab0b0 → 0x5555555596e0, "
                + "bk_nextsize 0x7fffffffe3a0 →", "  0x5555555596e0"); // the message's second row
        keys("r", "Enter");
        waitFor("step 7 / 8", "chunk 0x555555559290 changed in step 7: bk_nextsize 0x555555559290 → 0x7fffffffe3a0");

        // follow p2 (the pointer malloc handed out): the steps that touched it, then the first of them
        keys("c", "0x5555555596f0", "Enter");
        waitFor("following 0x5555555596e0: steps 2 3 7 8");
        keys("[");
        waitFor("step 3 / 8", "▶0x5555555596e0 0x420   P-- #3   in use");

        // a typo is a message on the screen, nothing moves
        keys("g", "eight", "Enter");
        waitFor("not a step number: 'eight' (0..8)", "step 3 / 8");

        keys("q");
        screen = waitFor("explore exited with 0");
        assertThat(screen).doesNotContain("-- bins");
    }

    @Test
    void aBadSourceIsOneLineAndStatus2InTheTerminalToo() throws Exception {
        start("explore " + DIR.resolve("no-such.timeline"));
        String screen = waitFor("explore exited with 2");
        assertThat(screen).contains("mallocscope: " + DIR.resolve("no-such.timeline") + ": no such file");
        assertThat(screen.lines().filter(l -> l.startsWith("mallocscope:")).count()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- tmux

    static Path cliJar() {
        return Home.root().resolve("cli/target/mallocscope-cli.jar");
    }

    private void start(String args) throws Exception {
        String command = Home.java() + " -jar " + cliJar() + " " + args + "; echo \"explore exited with $?\"; sleep 600";
        // the server must be there before the first key: if the new session is gone at once, say what tmux said
        String said = "";
        for (int attempt = 0; attempt < 3; attempt++) {
            said = tmux("new-session", "-d", "-x", "110", "-y", "40", command);
            if (lastStatus == 0 && tmuxStatus("has-session") == 0) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("tmux could not start a session for '" + args + "': " + said);
    }

    private int lastStatus;

    private int tmuxStatus(String... args) throws Exception {
        tmux(args);
        return lastStatus;
    }

    private void keys(String... keys) throws Exception {
        for (String k : keys) {
            // a word is typed literally (-l), a key name (Enter) is sent as the key
            if (k.equals("Enter")) {
                tmux("send-keys", "Enter");
            } else {
                tmux("send-keys", "-l", k);
            }
        }
    }

    /**
     * The screen once it shows every one of {@code texts} (every 100 ms, up to 120 s: a JVM starting on a loaded 2-core
     * machine is slow). All of them, not the first and then the rest: a capture can catch a redraw half done.
     */
    private String waitFor(String... texts) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String screen = "";
        while (System.nanoTime() < end) {
            screen = tmux("capture-pane", "-p");
            String shown = screen;
            if (java.util.Arrays.stream(texts).allMatch(shown::contains)) {
                return screen;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the screen never showed all of " + java.util.Arrays.toString(texts) + "; it shows:\n" + screen);
    }

    private static String line(String screen, String start) {
        return screen.lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting '" + start + "' in:\n" + screen)).strip();
    }

    private String tmux(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-S", socket));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LANG", "C.UTF-8");
        pb.environment().put("TERM", "xterm-256color");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        lastStatus = p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        return out;
    }

    private static String tmuxVersion() {
        try {
            Process p = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? v : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }
}
