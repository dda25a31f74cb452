package io.mallocscope.cli;

import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.render.BinsTextRenderer;
import io.mallocscope.cli.render.HeapRenderer;
import io.mallocscope.cli.render.Style;
import io.mallocscope.cli.render.TimelineTextRenderer;
import io.mallocscope.cli.source.FileKinds;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.StdioFrames;
import io.mallocscope.runtime.fs.FileSystem;
import io.mallocscope.samples.Samples;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code mallocscope run PROGRAM [ARGS…]}: runs a sample (or a {@code CProgram} class on
 * {@code --classpath}) in a fresh JVM with the recording agent, streams what it prints, then shows
 * what malloc did. Ends with the program's own exit status.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a sample program (or a CProgram class on --classpath) under the recording agent, "
                + "then show what malloc did.",
                "Options go before PROGRAM: everything after it is passed to the program.",
                "Ends with the program's own exit status (134 after an abort, 139 after a segfault)."})
final class RunCommand implements Callable<Integer> {
    enum View { timeline, summary, none }

    /** What to show once the program has ended, given its timeline. */
    @FunctionalInterface
    interface AfterRun {
        void show(StateSource timeline, PrintWriter out, Style style);
    }

    static final Map<View, AfterRun> VIEWS = Map.of(
            View.timeline, RunCommand::story,
            View.summary, RunCommand::summary,
            View.none, (s, out, style) -> { });

    @Spec
    CommandSpec spec;
    @Mixin
    ColorOption color;

    @Parameters(index = "0", paramLabel = "PROGRAM",
            description = "A sample name (see 'mallocscope list'), or a class name with --classpath.")
    String program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the program.")
    List<String> args = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE",
            description = "Where to write the timeline (default: PROGRAM.timeline in mallocscope-USER, "
                    + "a directory of your own in the temp directory).")
    Path out;

    @Mixin
    GlibcOption glibcOption;
    @Mixin
    TunablesOption tunablesOption;
    /** The checked {@code --glibc} and {@code --tunables}. */
    private String glibc;
    private String tunables;

    @Option(names = "--view", paramLabel = "VIEW", defaultValue = "timeline",
            description = "What to show after the run: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    View view;

    @Option(names = "--mount", paramLabel = "HOSTDIR:/PATH[:ro]",
            description = "Mount a host directory into the program's file system (read-only with :ro); repeatable.")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--memcheck",
            description = "Run under memcheck: invalid accesses, uninitialised bytes, bad frees and leaks reported on "
                    + "stderr in Valgrind's words, on the same heap.")
    boolean memcheck;

    @Option(names = "--c",
            description = "Run the C twin of the sample PROGRAM (its source as the C front end runs it).")
    boolean cTwin;

    @Option(names = "--classpath", paramLabel = "CP",
            description = "Run PROGRAM as a CProgram class found on this class path.")
    String classpath;

    /** run's own options: given after PROGRAM they reach the program instead, which is rarely meant. */
    static final List<String> OWN_OPTIONS = List.of("--view", "--out", "--glibc", "--tunables", "--classpath",
            "--color", "--mount", "--memcheck", "--c");

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        OpenOnWrite.refuseDirectoryName(spec);
        glibc = glibcOption.checked();
        tunables = tunablesOption.checked();
        String mountProperty = checkMounts(mounts);
        hintIfOwnOptionsInArgs(err);
        if (cTwin && io.mallocscope.c.CLauncher.sampleSource(program) == null) {
            throw UserError.usage("no C twin for sample '" + program + "' (see docs/c.md for the samples that have one)");
        }
        if (isCFile() && !Files.isRegularFile(Path.of(program))) {
            String kind = FileKinds.notRegular(Path.of(program));
            throw UserError.data(program + (kind == null || kind.equals("missing") ? ": no such file"
                    : ": it is " + kind + ", not a C source file"));
        }
        if (classpath == null && !cTwin && !isCFile() && Samples.find(program).isEmpty()) {
            throw unknownProgram();
        }
        checkReplayArguments();
        List<String> cmd = new ArrayList<>();
        cmd.add(Home.java().toString());
        // relative --out stays relative in messages; the agent gets the absolute path
        Path timeline = out != null ? out : defaultTimeline(program);
        Optional<Path> agent = Home.agentJar();
        try (TimelineClaim claim = agent.isPresent() ? claimTimeline(timeline, out != null) : null) {
            if (claim != null) {
                timeline = claim.file();
            }
            return run(cmd, timeline, claim, agent, mountProperty, stdout, err);
        }
    }

    private int run(List<String> cmd, Path timeline, TimelineClaim claim, Optional<Path> agent, String mountProperty,
                    PrintWriter stdout, PrintWriter err) throws IOException, InterruptedException {
        Recording recording = claim == null ? null : Recording.beside(claim);
        if (agent.isPresent()) {
            if (Runtime.version().feature() >= 23) {
                // ByteBuddy's class injector uses sun.misc.Unsafe, which JDK 24+ warns about on every run
                cmd.add("--sun-misc-unsafe-memory-access=allow");
            }
            // a C program's call sites are its own lines (prog.c:LINE), told by the interpreter (LibC.site)
            cmd.add("-javaagent:" + agent.get() + "=out=" + (recording != null ? recording.file()
                    : timeline.toAbsolutePath()));
        }
        cmd.addAll(javaOptions());
        cmd.add("-Dmallocscope.glibc=" + glibc);
        cmd.add("-D" + StdioFrames.PROPERTY + "=" + StdioFrames.FRAMES);
        if (tunables != null && !tunables.isEmpty()) {
            cmd.add("-Dmallocscope.tunables=" + tunables);
        }
        if (!mountProperty.isEmpty()) {
            cmd.add("-Dmallocscope.mounts=" + mountProperty);
        }
        if (memcheck) {
            cmd.add("-Dmallocscope.memcheck=true");
        }
        if (Terminal.isTerminal()) {
            // the program's stdout reaches a terminal through us: glibc sizes its stdout buffer for that
            cmd.add("-Dmallocscope.stdout.tty=true");
        }
        if (cTwin || isCFile()) {
            // C source runs in the C front end; its classes come with the cli (shaded) or from the build
            cmd.add("-cp");
            cmd.add(Home.runtimeClasses() + File.pathSeparator + Home.cfrontClasses() + File.pathSeparator
                    + Home.cliClasses());
            cmd.add(io.mallocscope.c.CLauncher.class.getName());
            if (cTwin) {
                cmd.add("--sample");
            }
            cmd.add(program);
        } else if (classpath != null) {
            cmd.add("-cp");
            cmd.add(classpath + File.pathSeparator + Home.runtimeClasses() + File.pathSeparator + Home.cliClasses());
            cmd.add(ProgramLauncher.class.getName());
            cmd.add(program);
        } else {
            if (Samples.find(program).isEmpty()) {
                throw unknownProgram();
            }
            Path samples = Home.samplesJar();
            if (!Files.isRegularFile(samples)) {
                throw UserError.data(samples + " is missing: build it with ./mvnw package (or use ./mallocscope, "
                        + "which builds on first use)");
            }
            cmd.add("-jar");
            cmd.add(samples.toString());
            cmd.add(program);
        }
        cmd.addAll(args);

        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException | RuntimeException x) {
            if (recording != null) {
                recording.finish(err);
            }
            throw x;
        }
        // the program's stdout and stderr come in frames on one pipe, in the order it wrote them; its JVM's own
        // stderr (warnings before the program starts) on the other. The agent names the file it writes, which
        // is the recording beside the timeline: the user is told the timeline's own name.
        OutputStream toOut = sink(stdout, rawStdout);
        OutputStream toErr = sink(err, rawStderr);
        OutputStream jvmErr = recording == null ? toErr : recording.renaming(toErr, timeline);
        OutputStream programErr = recording == null ? toErr : recording.renaming(toErr, timeline);
        Thread e = pump(() -> p.getErrorStream().transferTo(jvmErr), null);
        Thread o = pump(() -> StdioFrames.copy(p.getInputStream(), toOut, programErr),
                holdStdoutPipeUntilStderrEnds ? e : null);
        // interrupted (Ctrl-C reaches the program too): what it recorded still goes to the timeline
        Thread keep = recording == null ? null : new Thread(() -> {
            try {
                p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // keep what is there
            }
            recording.finish(err);
        }, "mallocscope-run-keep-timeline");
        if (keep != null) {
            Runtime.getRuntime().addShutdownHook(keep);
        }
        int status = p.waitFor();
        o.join();
        e.join();
        jvmErr.flush();
        programErr.flush();
        if (keep != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(keep);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: finish is done once, whoever comes first
            }
            recording.finish(err);
        }
        stdout.flush();
        err.flush();

        if (view == View.none) {
            return status;
        }
        if (agent.isEmpty()) {
            err.println("mallocscope: the timeline is not available: the recording agent is not built yet "
                    + "(agent/target/mallocscope-agent.jar is missing or has no Premain-Class), so the program ran unrecorded.");
            err.flush();
            return status;
        }
        if (recording != null && !recording.recorded()) {
            if (status == 0) { // a program that failed before its first call said why itself (a C file gcc or the front end refuses)
                err.println("mallocscope: no timeline was recorded" + (claim.created() ? " in " + timeline
                        : "; " + timeline + " is left as it was") + "; nothing to show.");
                err.flush();
            }
            return status;
        }
        if (!Files.isRegularFile(timeline) || Files.size(timeline) == 0) {
            if (status == 0) { // a program that failed before its first call said why itself (a C file gcc or the front end refuses)
                err.println("mallocscope: no timeline was recorded in " + timeline + "; nothing to show.");
                err.flush();
            }
            return status;
        }
        try {
            StateSource s = Sources.open(timeline, new Sources.ReplaySettings(glibc, tunables == null ? "" : tunables));
            s.damage().ifPresent(d -> err.println("mallocscope: warning: " + d + "; showing what is readable"));
            s.noteTo(line -> err.println("mallocscope: " + line));
            s.prepareTimeTravel(); // a long recording gets its checkpoints now, not at its first view
            if (s.steps() == 0 && status != 0) {
                // the program stopped before its first malloc call (a usage error, say): its own message is the story
                stdout.flush();
                err.flush();
                return status;
            }
            Style style = color.style();
            stdout.println();
            stdout.println(style.banner("── what malloc did (" + s.steps() + " calls; timeline in " + timeline + ") ──"));
            VIEWS.get(view).show(s, stdout, style);
            stdout.println();
            stdout.println(style.dim("Look closer: " + selfName() + " heap|bins|vis " + timeline + " --at N"));
        } catch (UserError u) {
            err.println("mallocscope: cannot show the timeline: " + u.getMessage());
        }
        stdout.flush();
        err.flush();
        return status;
    }

    /**
     * {@code run replay TRACE}: the tool takes one trace, which must be there; refused before any JVM starts
     * (and so before a timeline is made), as every command refuses a missing argument or file.
     */
    private void checkReplayArguments() {
        if (classpath != null || cTwin || isCFile()
                || !Samples.find(program).map(i -> i.type() == io.mallocscope.samples.Replay.class).orElse(false)) {
            return;
        }
        if (args.isEmpty()) {
            throw UserError.usage("Missing required parameter: 'TRACE' (mallocscope run replay TRACE: the malloclab "
                    + "trace to record, one call per line)");
        }
        if (args.size() > 1) {
            throw UserError.usage("run replay takes one TRACE, not " + args.size() + " arguments ('" + args.get(1)
                    + "' is one too many)");
        }
        if ("missing".equals(FileKinds.notRegular(Path.of(args.get(0))))) {
            throw UserError.usage(args.get(0) + ": no such file");
        }
    }

    /** {@code run FILE.c}: a C source file, run by the C front end. */
    private boolean isCFile() {
        return !cTwin && classpath == null && program.endsWith(".c");
    }

    private UserError unknownProgram() {
        return UserError.usage("unknown program '" + program
                + "' ('mallocscope list' shows the samples; use --classpath CP to run your own class)"
                + System.lineSeparator() + OPTIONS_FIRST_HINT);
    }

    static final String OPTIONS_FIRST_HINT = "hint: options of run go before PROGRAM: mallocscope run --view none NAME";

    /**
     * The default timeline: {@code mallocscope-USER/PROGRAM.timeline} in the temp directory, a directory of
     * the user's own (0700), so users sharing a machine never collide over one file.
     */
    static Path defaultTimeline(String program) {
        return defaultTimeline(program, System.getenv("TMPDIR"));
    }

    /** In {@code $TMPDIR} when it is set and not empty (Java's own temp dir ignores it), else java.io.tmpdir. */
    static Path defaultTimeline(String program, String tmpdirEnv) {
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        String tmp = tmpdirEnv != null && !tmpdirEnv.isEmpty() ? tmpdirEnv : System.getProperty("java.io.tmpdir");
        return Path.of(tmp, "mallocscope-" + user, program.replaceAll("[^A-Za-z0-9._-]", "_") + ".timeline");
    }

    /**
     * The timeline file a run writes, locked against other runs until the story is told; {@code created} when
     * the claim made it (there was no file), so a run that records nothing removes it again.
     */
    static final class TimelineClaim implements AutoCloseable {
        private final Path file;
        private final boolean created;
        private FileChannel channel;

        TimelineClaim(Path file, boolean created, FileChannel channel) {
            this.file = file;
            this.created = created;
            this.channel = channel;
        }

        Path file() {
            return file;
        }

        boolean created() {
            return created;
        }

        /** The recording has replaced the file (a new inode at its path): hold that one from now on. */
        void relock() {
            try {
                FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
                try {
                    if (ch.tryLock() == null) {
                        ch.close();
                        return;
                    }
                } catch (IOException | OverlappingFileLockException e) {
                    ch.close();
                    return;
                }
                channel.close();
                channel = ch;
            } catch (IOException e) {
                // the old lock goes on holding what it holds: the story is told all the same
            }
        }

        @Override
        public void close() throws IOException {
            channel.close(); // releases the lock
        }
    }

    /**
     * Where the agent records: a file of the run's own beside the timeline ({@code NAME.NNN.recording}), moved
     * onto the timeline when the program has ended, and only if it recorded something. A run that fails before
     * its first event (a class not found, a program that cannot start) leaves an existing timeline exactly as
     * it was and makes none; what a program that crashes had recorded is kept. The agent empties the file it
     * is given as it starts, so it is never given the user's.
     */
    static final class Recording {
        private final TimelineClaim claim;
        private final Path file;
        private boolean finished;
        private boolean recorded;

        private Recording(TimelineClaim claim, Path file) {
            this.claim = claim;
            this.file = file;
        }

        /**
         * A new, empty recording file in the timeline's own directory (the link's target's, for a link); null
         * when none can be made there.
         */
        static Recording beside(TimelineClaim claim) {
            Path real;
            try {
                real = claim.file().toRealPath();
            } catch (IOException e) {
                return null;
            }
            Path dir = real.getParent();
            java.util.Random random = new java.util.Random();
            for (int i = 0; ; i++) {
                Path f = dir.resolve(real.getFileName() + "." + Integer.toUnsignedString(random.nextInt(), 36)
                        + ".recording");
                try {
                    return new Recording(claim, Files.createFile(f)); // new, never someone else's
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    if (i > 100) {
                        return null;
                    }
                } catch (IOException e) {
                    return null; // a directory where the file may be written but nothing made: the agent writes it
                }
            }
        }

        Path file() {
            return file;
        }

        /** Whether the program recorded anything (known once {@link #finish} has run). */
        synchronized boolean recorded() {
            return recorded;
        }

        /**
         * Moves what was recorded onto the timeline (keeping the old file's permissions), or, when nothing was,
         * removes the recording and a timeline file the claim made. Once; a failure is one line on {@code err}.
         */
        synchronized void finish(PrintWriter err) {
            if (finished) {
                return;
            }
            finished = true;
            try {
                recorded = Files.isRegularFile(file) && Files.size(file) > 0;
                if (!recorded) {
                    Files.deleteIfExists(file);
                    if (claim.created() && Files.isRegularFile(claim.file()) && Files.size(claim.file()) == 0) {
                        Files.delete(claim.file());
                    }
                    return;
                }
                Path real = claim.file().toRealPath();
                try {
                    Files.setPosixFilePermissions(file, Files.getPosixFilePermissions(real));
                } catch (IOException | UnsupportedOperationException e) {
                    // the recording's own permissions, then
                }
                Files.move(file, real, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                claim.relock();
            } catch (IOException e) {
                err.println("mallocscope: cannot put the timeline in place: " + TimelineCommand.cannotWrite(claim.file(), e)
                        .getMessage() + "; what was recorded is in " + file);
                err.flush();
            }
        }

        /** {@code to} with every mention of the recording's path made the timeline's, as the agent would name it. */
        OutputStream renaming(OutputStream to, Path timeline) {
            return new Replacing(to, file.toString().getBytes(StandardCharsets.UTF_8),
                    timeline.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A stream that writes {@code with} wherever {@code what} passes through it, even split across writes. */
    static final class Replacing extends OutputStream {
        private final OutputStream to;
        private final byte[] what;
        private final byte[] with;
        /** Knuth-Morris-Pratt: the longest proper prefix of what[0..i] that is also its suffix. */
        private final int[] fail;
        /** How many bytes of {@code what} the bytes held back so far match. */
        private int matched;

        Replacing(OutputStream to, byte[] what, byte[] with) {
            this.to = to;
            this.what = what;
            this.with = with;
            fail = new int[what.length];
            for (int i = 1, k = 0; i < what.length; i++) {
                while (k > 0 && what[i] != what[k]) {
                    k = fail[k - 1];
                }
                if (what[i] == what[k]) {
                    k++;
                }
                fail[i] = k;
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(len + with.length);
            for (int i = off; i < off + len; i++) {
                byte c = b[i];
                while (matched > 0 && what[matched] != c) {
                    int next = fail[matched - 1];
                    out.write(what, 0, matched - next); // held bytes that can no longer start a match
                    matched = next;
                }
                if (what[matched] == c) {
                    matched++;
                    if (matched == what.length) {
                        out.write(with);
                        matched = 0;
                    }
                } else {
                    out.write(c);
                }
            }
            if (out.size() > 0) {
                to.write(out.toByteArray());
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            if (matched > 0) {
                to.write(what, 0, matched);
                matched = 0;
            }
            to.flush();
        }
    }

    /**
     * Makes sure the agent can write {@code timeline} and that no other run writes it meanwhile: creates the
     * default directory (0700), refuses what is not a regular file (a directory, a device, a FIFO, a link to
     * one of those: nothing the user has is ever deleted or replaced) and locks the file. The default file
     * taken by a run still going, the next free name is used ({@code PROGRAM-2.timeline}, …); a given
     * {@code --out} file another run holds is refused. A place that cannot be used is a one-line usage error.
     */
    static TimelineClaim claimTimeline(Path timeline, boolean given) {
        Path dir = timeline.toAbsolutePath().getParent();
        String hint = given ? "" : " (choose another place with --out FILE)";
        try {
            if (!given && !Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectories(dir);
                }
            }
            if (!given && !ownedByMe(dir)) {
                throw UserError.usage(dir + " belongs to another user; choose another place with --out FILE");
            }
            for (int n = 1; ; n++) {
                Path candidate = n == 1 ? timeline : numbered(timeline, n);
                String kind = FileKinds.notRegular(candidate);
                if (kind != null && !kind.equals("missing")) {
                    throw UserError.usage("cannot write " + candidate + ": it is " + kind
                            + "; the timeline goes to a regular file" + hint);
                }
                TimelineClaim claim = tryLock(candidate);
                if (claim != null) {
                    return claim;
                }
                if (given) {
                    throw UserError.usage("cannot write " + candidate + ": another mallocscope run is writing it "
                            + "right now; choose another place with --out FILE");
                }
            }
        } catch (IOException e) {
            UserError u = TimelineCommand.cannotWrite(timeline, e);
            throw UserError.usage(u.getMessage() + hint);
        }
    }

    /** {@code DIR/NAME-n.timeline} for {@code DIR/NAME.timeline}. */
    private static Path numbered(Path timeline, int n) {
        String name = timeline.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot > 0 ? name.substring(0, dot) + "-" + n + name.substring(dot) : name + "-" + n;
        return timeline.resolveSibling(numbered);
    }

    /** Opens (creating if need be, never truncating) and locks {@code file}; null when another run holds it. */
    private static TimelineClaim tryLock(Path file) throws IOException {
        boolean existed = Files.exists(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = ch.tryLock();
            if (lock != null) {
                return new TimelineClaim(file, !existed, ch);
            }
        } catch (OverlappingFileLockException e) {
            // held by another run in this same JVM (tests)
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        ch.close();
        return null;
    }

    /**
     * The JVM options the user gave the launcher ({@code MALLOCSCOPE_JAVA_OPTS}, e.g. {@code -Xmx2g}), for the
     * program's JVM too: its simulated memory is sized from its heap.
     */
    static List<String> javaOptions() {
        String opts = System.getenv("MALLOCSCOPE_JAVA_OPTS");
        List<String> out = new ArrayList<>();
        if (opts != null) {
            for (String o : opts.trim().split("\\s+")) {
                if (!o.isEmpty()) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    private static boolean ownedByMe(Path dir) throws IOException {
        try {
            return Files.getOwner(dir).getName().equals(System.getProperty("user.name"));
        } catch (UnsupportedOperationException e) {
            return true;
        }
    }

    /**
     * Checks each {@code --mount} (its form, and that the host directory is there) and returns them
     * with absolute host paths, as the program's JVM reads them from {@code mallocscope.mounts}.
     */
    static String checkMounts(List<String> specs) {
        List<FileSystem.Mount> parsed = new ArrayList<>();
        try {
            for (String spec : specs) {
                FileSystem.Mount m = FileSystem.Mount.parse(spec);
                parsed.add(new FileSystem.Mount(m.hostDir().toAbsolutePath(), m.at(), m.readOnly()));
            }
            new FileSystem(parsed);
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage());
        }
        return String.join(ProcessOptions.MOUNT_SEPARATOR, parsed.stream().map(FileSystem.Mount::toString).toList());
    }

    /** Options after PROGRAM go to the program; when one of them is run's own, say where it belongs. */
    private void hintIfOwnOptionsInArgs(PrintWriter err) {
        if (classpath == null && Samples.find(program).isEmpty()) {
            return; // the unknown-program error carries the hint
        }
        for (String a : args) {
            if (OWN_OPTIONS.contains(a.split("=", 2)[0])) {
                err.println("mallocscope: " + a.split("=", 2)[0] + " after PROGRAM is passed to " + program
                        + ", not to run; " + OPTIONS_FIRST_HINT.substring("hint: ".length()));
                err.flush();
                return;
            }
        }
    }

    /** How the user started us: {@code ./mallocscope} through the launcher script (which sets mallocscope.home). */
    static String selfName() {
        return System.getProperty("mallocscope.home") != null ? "./mallocscope" : "mallocscope";
    }

    /** Every call with what it did, then the free lists as the program left them. */
    private static void story(StateSource s, PrintWriter out, Style style) {
        new TimelineTextRenderer(io.mallocscope.cli.explain.Narrator.of(s, io.mallocscope.cli.explain.Narrator.Writes.metadata))
                .render(List.of(), s.ops(), out, style);
        HeapSnapshot end = s.at(s.steps());
        if (!end.bins().isEmpty()) {
            out.println();
            out.println(style.bold("free lists at the end (mallocscope bins):"));
            new BinsTextRenderer().render(end, out, style);
        }
    }

    private static void summary(StateSource s, PrintWriter out, Style style) {
        HeapSnapshot end = s.at(s.steps());
        out.println(style.bold("heap at the end (step " + end.step() + "):"));
        new HeapRenderer().render(end, out, style);
        new BinsTextRenderer().render(end, out, style);
    }

    /**
     * The process's own stdout and stderr as byte streams (set by {@link Main#main}): the program's output
     * is copied there byte for byte, whatever its encoding. Null when the command runs inside a test with
     * picocli's writers; then it is decoded as UTF-8 into them.
     */
    static volatile OutputStream rawStdout;
    static volatile OutputStream rawStderr;

    /**
     * A test's worst-case scheduling: the child's stdout pipe is read only after its stderr pipe has been
     * read to its end, as a loaded machine may delay one pump.
     */
    static volatile boolean holdStdoutPipeUntilStderrEnds;

    /** Something that copies a pipe until it ends. */
    @FunctionalInterface
    private interface Copy {
        void run() throws IOException;
    }

    /** Runs {@code copy} on a thread of its own, after {@code after} has ended if it is not null. */
    private static Thread pump(Copy copy, Thread after) {
        Thread t = new Thread(() -> {
            try {
                if (after != null) {
                    after.join();
                }
                copy.run();
            } catch (IOException ignored) {
                // the child closed its end: nothing more to copy
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mallocscope-run-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Where the program's bytes for one of our streams go: the process's own stream, byte for byte, after what
     * we printed on {@code to} so far; or, in a test, {@code to} itself, decoded as UTF-8 (a character cut
     * between two writes is kept until its rest comes).
     */
    private static OutputStream sink(PrintWriter to, OutputStream raw) {
        if (raw != null) {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    synchronized (to) {
                        to.flush();
                        raw.write(b, off, len);
                        raw.flush();
                    }
                }
            };
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        return new OutputStream() {
            private byte[] carried = new byte[0];
            private final CharBuffer chars = CharBuffer.allocate(8192);

            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                ByteBuffer in;
                if (carried.length == 0) {
                    in = ByteBuffer.wrap(b, off, len);
                } else {
                    byte[] joined = java.util.Arrays.copyOf(carried, carried.length + len);
                    System.arraycopy(b, off, joined, carried.length, len);
                    in = ByteBuffer.wrap(joined);
                }
                synchronized (to) {
                    decode(in);
                    to.flush();
                }
                carried = new byte[in.remaining()]; // the first bytes of a character whose rest is still to come
                in.get(carried);
            }

            private void decode(ByteBuffer in) {
                while (true) {
                    CoderResult r = utf8.decode(in, chars, false);
                    chars.flip();
                    to.append(chars);
                    chars.clear();
                    if (!r.isOverflow()) {
                        return;
                    }
                }
            }
        };
    }
}
