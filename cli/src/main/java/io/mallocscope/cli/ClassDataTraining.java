package io.mallocscope.cli;

import io.mallocscope.runtime.timeline.Timeline;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What the launcher's class data archive is made from: the {@code mallocscope} script runs this once
 * after a build, with {@code -XX:ArchiveClassesAtExit}, so that later commands map the classes it
 * loaded instead of reading and verifying them from the jar. It records first-fit with {@code run} and
 * shows each view of that timeline at a step past a checkpoint of its own side file (one every 2 steps),
 * so the archive holds what a view of a long timeline loads to restore a checkpoint and replay the
 * calls after it, not only what one command loaded. Its output is of no interest (the script discards
 * it); it leaves nothing behind.
 */
public final class ClassDataTraining {
    private ClassDataTraining() {
    }

    public static void main(String[] args) throws IOException {
        RunCommand.rawStdout = System.out;
        RunCommand.rawStderr = System.err;
        Path dir = Files.createTempDirectory("mallocscope-training");
        int status;
        try {
            status = train(dir, Stdout.writer());
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.flush();
        System.exit(status);
    }

    /**
     * The training run's commands, their files in {@code dir}, what they print to {@code out} (a test's
     * own writer: the process's standard output may be its test runner's channel): 0 when every command
     * ended with status 0.
     *
     * @throws IOException if the side file cannot be written
     */
    static int train(Path dir, PrintWriter out) throws IOException {
        Path t = dir.resolve("first-fit.timeline");
        int status = execute(out, "run", "--view", "none", "--out", t.toString(), "first-fit");
        Timeline.read(t).writeCheckpoints(t, 2);
        for (String view : new String[] {"heap", "bins", "vis", "maps", "arenas"}) {
            status |= execute(out, view, t.toString(), "--at", "3");
        }
        status |= execute(out, "diff", t.toString(), "--at", "2", "--to", "3");
        status |= execute(out, "timeline", t.toString());
        return status == 0 ? 0 : 1;
    }

    /** One command as {@link Main#main} runs it, printing to {@code out}. */
    private static int execute(PrintWriter out, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(out);
        cl.setErr(out);
        int status = cl.execute(args);
        out.flush();
        return status;
    }
}
