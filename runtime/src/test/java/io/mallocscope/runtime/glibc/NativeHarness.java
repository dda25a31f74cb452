package io.mallocscope.runtime.glibc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The real glibc side of the golden tests: compiles {@code src/test/c/replay.c} with gcc and runs
 * it on malloclab-style traces, so tests can compare the Java allocator with a real glibc.
 *
 * <p>Versions:
 *
 * <ul>
 *   <li>{@code 2.36}: the system glibc, when it is 2.36 (the Debian 12 build machine);
 *   <li>{@code 2.31}, {@code 2.41}, {@code 2.43}: Debian's {@code libc6} of that version, fetched
 *       and unpacked by {@code scripts/fetch-glibc.sh} into its cache (first use only; bounded by
 *       {@value #FETCH_TIMEOUT_SECONDS} s) and run through that version's own loader:
 *       {@code LIBDIR/ld-linux-x86-64.so.2 --library-path LIBDIR replay TRACE}. For 2.31 the
 *       harness is built with {@code -DCOMPAT_START -nostartfiles -DOLD_MALLINFO}.
 * </ul>
 *
 * <p>Each is available only where it can be had (Linux x86_64, gcc, and for the fetched versions
 * apt and a reachable Debian mirror, or a filled cache); otherwise {@link #forVersion} is empty and
 * {@link #skipReason(String)} says why. Fetching is skipped entirely with {@code
 * -Dmallocscope.glibc.fetch=false} (the cache is still used). Typical use:
 *
 * <pre>{@code
 * Optional<NativeHarness> glibc = NativeHarness.forVersion("2.41");
 * Assumptions.assumeTrue(glibc.isPresent(), NativeHarness.skipReason("2.41"));
 * String out = glibc.get().run(trace); // GLIBC_TUNABLES from the trace's "# tunables:" comment
 * }</pre>
 *
 * <p>{@link #forVersion(String, boolean) forVersion(version, true)} gives the threaded flavour: the same
 * source built with {@code -DTHREADS -pthread} (for 2.31 also linked against {@code libpthread.so.0}),
 * which adds the trace lines {@code T K} and {@code X K}; threaded traces carry their tunables in a
 * {@code # GLIBC_TUNABLES=} line ({@link #threadTunablesOfText}).
 *
 * <p>Binaries are built once per JVM into {@code target/native/replay-VERSION} (written to a
 * temporary file and moved into place, so parallel forks do not see a half-written binary). Paths
 * are resolved against the working directory, which Maven sets to the module directory; running
 * from the repository root ({@code runtime/src/test/c/replay.c}) or from a sibling module such as the
 * cli ({@code ../runtime/src/test/c/replay.c}) works too.
 */
public final class NativeHarness {

    /** Comment prefix carrying a trace's GLIBC_TUNABLES value. */
    public static final String TUNABLES_PREFIX = "# tunables:";

    /** Comment prefix carrying a threaded trace's GLIBC_TUNABLES value. */
    public static final String THREAD_TUNABLES_PREFIX = "# GLIBC_TUNABLES=";

    /** The glibc versions this harness can run: the system 2.36 and the fetched Debian builds. */
    public static final List<String> VERSIONS = List.of("2.31", "2.36", "2.41", "2.43");

    /** Upper bound for one call of {@code scripts/fetch-glibc.sh} (apt-get update + download). */
    public static final long FETCH_TIMEOUT_SECONDS = 120;

    private static final String SYSTEM_VERSION = "2.36";
    private static final String SOURCE_IN_MODULE = "src/test/c/replay.c";
    private static final String SOURCE_FROM_ROOT = "runtime/src/test/c/replay.c";
    /** From a sibling module (the cli's tests compare its views with the harness too). */
    private static final String SOURCE_FROM_SIBLING = "../runtime/src/test/c/replay.c";
    private static final long RUN_TIMEOUT_SECONDS = 300;

    private static final Object LOCK = new Object();
    /** version -> probe result; an absent key means "not probed yet". */
    private static final Map<String, Probe> PROBES = new HashMap<>();

    /** harness, or why there is none; error: a failure that is a bug, rethrown on every call. */
    private record Probe(NativeHarness harness, String reason, RuntimeException error) {}

    private final String version;
    private final boolean threads;
    private final String library;
    private final List<String> launcher;
    private final Path binary;

    private NativeHarness(String version, boolean threads, String library, List<String> launcher, Path binary) {
        this.version = version;
        this.threads = threads;
        this.library = library;
        this.launcher = List.copyOf(launcher);
        this.binary = binary;
    }

    /**
     * The harness for glibc {@code version} (one of {@link #VERSIONS}), or empty when it cannot be
     * had here (see {@link #skipReason(String)}). Probes, fetches and compiles once per JVM and
     * version.
     *
     * @throws IllegalArgumentException for a version not in {@link #VERSIONS}
     * @throws IllegalStateException when {@code scripts/fetch-glibc.sh} fails for a reason other
     *     than "unavailable" (exit status 3) or a timeout: that is a bug, not a missing resource
     */
    public static Optional<NativeHarness> forVersion(String version) {
        return forVersion(version, false);
    }

    /** {@link #forVersion(String)}, or with {@code threads} the harness that runs {@code T}/{@code X} lines. */
    public static Optional<NativeHarness> forVersion(String version, boolean threads) {
        if (!VERSIONS.contains(version)) {
            throw new IllegalArgumentException("unknown glibc version '" + version + "' (known: " + VERSIONS + ")");
        }
        String key = threads ? version + "-threads" : version;
        synchronized (LOCK) {
            Probe probe = PROBES.get(key);
            if (probe == null) {
                try {
                    NativeHarness h = version.equals(SYSTEM_VERSION) ? probeSystem(threads) : probeFetched(version, threads);
                    probe = new Probe(h, "", null);
                } catch (Unavailable e) {
                    probe = new Probe(null, e.getMessage(), null);
                } catch (RuntimeException e) {
                    probe = new Probe(null, e.getMessage(), e);
                }
                PROBES.put(key, probe);
            }
            if (probe.error() != null) {
                throw new IllegalStateException("glibc " + version + " harness: " + probe.error().getMessage(), probe.error());
            }
            return Optional.ofNullable(probe.harness());
        }
    }

    /** Why {@link #forVersion(String)} is empty (or "available"); for {@code Assumptions.assumeTrue}. */
    public static String skipReason(String version) {
        return skipReason(version, false);
    }

    /** {@link #skipReason(String)} for the plain or the threaded harness. */
    public static String skipReason(String version, boolean threads) {
        Optional<NativeHarness> h = forVersion(version, threads);
        String what = threads ? " threaded harness " : " harness ";
        synchronized (LOCK) {
            return h.isPresent()
                    ? "native glibc " + version + what + "available (" + h.get().library() + ")"
                    : "native glibc " + version + what + "unavailable: " + PROBES.get(threads ? version + "-threads" : version).reason();
        }
    }

    /**
     * The harness compiled against the system glibc, or empty when gcc is missing, the system glibc
     * is not 2.36, or compilation fails (see {@link #skipReason()}). Same as {@code forVersion("2.36")}.
     */
    public static Optional<NativeHarness> forSystemGlibc236() {
        return forVersion(SYSTEM_VERSION);
    }

    /** Why {@link #forSystemGlibc236()} is empty (or "available"); for {@code Assumptions.assumeTrue}. */
    public static String skipReason() {
        return skipReason(SYSTEM_VERSION);
    }

    /** The glibc version this harness runs on, e.g. {@code "2.41"}. */
    public String version() {
        return version;
    }

    /** The library build, e.g. {@code "libc6 2.41-12+deb13u5"} (the format of {@code golden/VERSION/LIBRARY}). */
    public String library() {
        return library;
    }

    /**
     * The command prefix that runs a program compiled here on this harness's glibc: empty for the
     * system library, the fetched loader with {@code --library-path} for the others.
     */
    public List<String> launcher() {
        return launcher;
    }

    /** The compiled replay binary. */
    public Path binary() {
        return binary;
    }

    /**
     * Runs the harness on {@code trace} in an empty environment (like {@code env -i}), with
     * {@code GLIBC_TUNABLES=tunablesOrNull} when non-null, and returns its stdout.
     *
     * @throws IllegalStateException with the exit status and stderr when the harness fails (a
     *     malformed trace exits 2; a glibc abort shows up as status 134)
     * @throws UncheckedIOException when the process cannot be started
     */
    public String run(Path trace, String tunablesOrNull) {
        Ended e = execute(trace, tunablesOrNull);
        if (e.status() != 0) {
            throw new IllegalStateException("replay (glibc " + version + ") " + trace + (tunablesOrNull == null ? "" : " [GLIBC_TUNABLES=" + tunablesOrNull + "]")
                    + " exited with status " + e.status() + ": " + e.err().strip());
        }
        return e.out();
    }

    /** How a run of the harness ended: its exit status (128 + N when signal N killed it), stdout and stderr. */
    public record Ended(int status, String out, String err) {
    }

    /**
     * As {@link #run(Path, String)}, with {@code --malloc-stats}: after the summary the harness calls
     * {@code malloc_stats()}, whose text (every arena) is the run's stderr. A failing run is returned.
     */
    public Ended runWithMallocStats(Path trace, String tunablesOrNull) {
        return execute(trace, tunablesOrNull, "--malloc-stats");
    }

    private Ended execute(Path trace, String tunablesOrNull, String... options) {
        List<String> command = new ArrayList<>(launcher);
        command.add(binary.toString());
        command.add(trace.toAbsolutePath().toString());
        command.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        if (tunablesOrNull != null) {
            pb.environment().put("GLIBC_TUNABLES", tunablesOrNull);
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        String out = readAll(p.getInputStream());
        int status;
        try {
            if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("replay timed out after " + RUN_TIMEOUT_SECONDS + " s on " + trace);
            }
            status = p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replaying " + trace, e);
        }
        String stderr;
        try {
            stderr = err.get();
        } catch (InterruptedException | ExecutionException e) {
            stderr = "(stderr unavailable: " + e + ")";
        }
        return new Ended(status, out, stderr);
    }

    /**
     * Runs {@code trace} with the tunables named in its own {@code # tunables:} comment (threaded
     * harness: {@code # GLIBC_TUNABLES=} line), if any.
     */
    public String run(Path trace) {
        if (threads) {
            try {
                return run(trace, threadTunablesOfText(Files.readString(trace, StandardCharsets.UTF_8)).orElse(null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return run(trace, tunablesOf(trace).orElse(null));
    }

    /** True for the harness that runs {@code T}/{@code X} lines. */
    public boolean threads() {
        return threads;
    }

    /**
     * Writes {@code traceText} to a temporary file, replays it and deletes the file. The tunables
     * come from the argument (not from a comment in the text).
     */
    public String runText(String traceText, String tunablesOrNull) {
        return withTraceFile(traceText, tmp -> run(tmp, tunablesOrNull));
    }

    /** As {@link #runText}, but a failing run is returned, not thrown: a trace that ends in a signal prints up to it. */
    public Ended runTextToItsEnd(String traceText, String tunablesOrNull) {
        return withTraceFile(traceText, tmp -> execute(tmp, tunablesOrNull));
    }

    private static <T> T withTraceFile(String traceText, java.util.function.Function<Path, T> replay) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("mallocscope-trace-", ".rep");
            Files.writeString(tmp, traceText, StandardCharsets.UTF_8);
            return replay.apply(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /** The value of the first {@code # tunables: ...} comment line of a trace file, if any. */
    public static Optional<String> tunablesOf(Path trace) {
        try {
            return tunablesOfText(Files.readString(trace, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of the first {@code # tunables: ...} comment line of a trace text, if any. */
    public static Optional<String> tunablesOfText(String traceText) {
        for (String line : traceText.split("\n", -1)) {
            String s = line.strip();
            if (s.startsWith(TUNABLES_PREFIX)) {
                String v = s.substring(TUNABLES_PREFIX.length()).replaceAll("\\s+", "");
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** The value of the first {@code # GLIBC_TUNABLES=...} line of a (threaded) trace text, if any. */
    public static Optional<String> threadTunablesOfText(String traceText) {
        for (String line : traceText.split("\n", -1)) {
            String s = line.strip();
            if (s.startsWith(THREAD_TUNABLES_PREFIX)) {
                String v = s.substring(THREAD_TUNABLES_PREFIX.length()).replaceAll("\\s+", "");
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** Extra compiler flags of the threaded flavour. */
    private static List<String> withThreads(List<String> flags, boolean threads, String version) {
        if (!threads) {
            return flags;
        }
        List<String> all = new ArrayList<>(flags);
        all.addAll(List.of("-DTHREADS", "-pthread"));
        if (version.equals("2.31")) {
            all.addAll(List.of("-Wl,--no-as-needed", "-l:libpthread.so.0")); // pthread_* live there before 2.34
        }
        return all;
    }

    // ------------------------------------------------------------------ probing / building

    private static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    private static NativeHarness probeSystem(boolean threads) throws Unavailable {
        requireLinuxX8664();
        String version = systemGlibcVersion();
        if (version == null) {
            throw new Unavailable("cannot determine the system glibc version (getconf GNU_LIBC_VERSION / ldd --version)");
        }
        if (!version.equals(SYSTEM_VERSION)) {
            throw new Unavailable("system glibc is " + version + ", not " + SYSTEM_VERSION);
        }
        Path source = requireSourceAndGcc();
        Path binary = build(source, (threads ? "replay-threads-" : "replay-") + SYSTEM_VERSION,
                withThreads(List.of("-O1"), threads, SYSTEM_VERSION));
        Cmd dpkg = exec(List.of("dpkg-query", "-W", "-f=${Version}", "libc6"));
        String library = dpkg != null && dpkg.status == 0 && !dpkg.output.isBlank()
                ? "libc6 " + dpkg.output.strip()
                : "system glibc " + SYSTEM_VERSION;
        return new NativeHarness(SYSTEM_VERSION, threads, library, List.of(), binary);
    }

    private static NativeHarness probeFetched(String version, boolean threads) throws Unavailable {
        requireLinuxX8664();
        Path source = requireSourceAndGcc();
        Path script = moduleDir(source).getParent().resolve("scripts").resolve("fetch-glibc.sh");
        if (!Files.isRegularFile(script)) {
            throw new Unavailable("cannot find " + script);
        }
        Path libDir = fetch(script, version);
        Path loader = libDir.resolve("ld-linux-x86-64.so.2");
        if (!Files.isExecutable(loader)) {
            throw new IllegalStateException("fetch-glibc.sh reported " + libDir + " but it holds no executable ld-linux-x86-64.so.2");
        }
        List<String> launcher = List.of(loader.toString(), "--library-path", libDir.toString());
        List<String> banner = new ArrayList<>(launcher);
        banner.add(libDir.resolve("libc.so.6").toString());
        Cmd libc = exec(banner);
        if (libc == null || !libc.output.contains("release version " + version + ".")) {
            throw new IllegalStateException("the library in " + libDir + " is not glibc " + version + ": "
                    + (libc == null ? "cannot run it" : libc.output.lines().findFirst().orElse("(no output)")));
        }
        List<String> flags = version.equals("2.31")
                ? List.of("-O1", "-DCOMPAT_START", "-nostartfiles", "-DOLD_MALLINFO")
                : List.of("-O1");
        Path binary = build(source, (threads ? "replay-threads-" : "replay-") + version, withThreads(flags, threads, version));
        return new NativeHarness(version, threads, packageOf(libDir), launcher, binary);
    }

    /** Runs {@code fetch-glibc.sh --quiet --libdir VERSION}; the library directory it prints. */
    private static Path fetch(Path script, String version) throws Unavailable {
        List<String> command = new ArrayList<>(List.of("bash", script.toString(), "--quiet"));
        if (!Boolean.parseBoolean(System.getProperty("mallocscope.glibc.fetch", "true"))) {
            command.add("--cached-only");
        }
        command.addAll(List.of("--libdir", version));
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("fetch-glibc-", ".out");
            err = Files.createTempFile("fetch-glibc-", ".err");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            // each apt-get call of the script gets less than half of our budget
            pb.environment().put("MALLOCSCOPE_FETCH_TIMEOUT", Long.toString(FETCH_TIMEOUT_SECONDS * 2 / 5));
            Process p = pb.start();
            if (!p.waitFor(FETCH_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new Unavailable("fetching glibc " + version + " with " + script.getFileName() + " took more than "
                        + FETCH_TIMEOUT_SECONDS + " s (slow or missing network?)");
            }
            String stderr = Files.readString(err, StandardCharsets.UTF_8).strip();
            int status = p.exitValue();
            if (status == 3) {
                String prefix = "fetch-glibc: unavailable: ";
                throw new Unavailable(stderr.lines().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b)
                        .map(l -> l.substring(prefix.length())).orElse(stderr));
            }
            if (status != 0) {
                throw new IllegalStateException(script + " " + version + " exited with status " + status + ": " + stderr);
            }
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.get(lines.size() - 1).isBlank()) {
                throw new IllegalStateException(script + " --libdir " + version + " printed no directory");
            }
            return Path.of(lines.get(lines.size() - 1).strip());
        } catch (IOException e) {
            throw new Unavailable("cannot run " + script + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while fetching glibc " + version);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** "libc6 2.41-12+deb13u5" from the PACKAGE file fetch-glibc.sh writes at the top of the unpacked tree. */
    private static String packageOf(Path libDir) {
        for (Path d = libDir; d != null; d = d.getParent()) {
            Path f = d.resolve("PACKAGE");
            if (Files.isRegularFile(f)) {
                try {
                    String s = Files.readString(f, StandardCharsets.UTF_8).strip();
                    int paren = s.indexOf(" (");
                    return paren < 0 ? s : s.substring(0, paren);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("no PACKAGE file above " + libDir + " (re-fetch with scripts/fetch-glibc.sh)");
    }

    private static void requireLinuxX8664() throws Unavailable {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            throw new Unavailable("not running on Linux (" + System.getProperty("os.name") + ")");
        }
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            throw new Unavailable("not x86_64 (" + arch + ")");
        }
    }

    private static Path requireSourceAndGcc() throws Unavailable {
        Path source = locateSource();
        if (source == null) {
            throw new Unavailable("cannot find " + SOURCE_IN_MODULE + " from working directory "
                    + Path.of("").toAbsolutePath());
        }
        Cmd gccVersion = exec(List.of("gcc", "--version"));
        if (gccVersion == null || gccVersion.status != 0) {
            throw new Unavailable("gcc not found");
        }
        return source;
    }

    /** module dir = .../runtime, source = runtime/src/test/c/replay.c */
    private static Path moduleDir(Path source) {
        return source.toAbsolutePath().getParent().getParent().getParent().getParent();
    }

    private static Path build(Path source, String name, List<String> flags) throws Unavailable {
        Path outDir = moduleDir(source).resolve("target").resolve("native");
        Path binary = outDir.resolve(name);
        try {
            Files.createDirectories(outDir);
            Path tmp = Files.createTempFile(outDir, name + "-", ".tmp");
            List<String> cc = new ArrayList<>(List.of("gcc"));
            cc.addAll(List.of("-o", tmp.toString(), source.toString()));
            cc.addAll(flags); // after the source: -l options must follow it
            Cmd result = exec(cc);
            if (result == null || result.status != 0) {
                Files.deleteIfExists(tmp);
                throw new Unavailable("gcc failed to compile " + source + " " + flags + ": "
                        + (result == null ? "" : result.output.strip()));
            }
            Files.move(tmp, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new Unavailable("cannot build the harness in " + outDir + ": " + e);
        }
        return binary;
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** "2.36" etc., or null. */
    static String systemGlibcVersion() {
        Cmd getconf = exec(List.of("getconf", "GNU_LIBC_VERSION"));
        if (getconf != null && getconf.status == 0) {
            String s = getconf.output.strip(); // "glibc 2.36"
            if (s.startsWith("glibc ")) {
                return s.substring("glibc ".length()).strip();
            }
        }
        Cmd ldd = exec(List.of("ldd", "--version"));
        if (ldd != null && !ldd.output.isEmpty()) {
            String first = ldd.output.split("\n", 2)[0].strip(); // "ldd (Debian GLIBC 2.36-9+deb12u14) 2.36"
            int sp = first.lastIndexOf(' ');
            String v = first.substring(sp + 1);
            if (v.matches("\\d+\\.\\d+")) {
                return v;
            }
        }
        return null;
    }

    private static Path locateSource() {
        for (String candidate : new String[] {SOURCE_IN_MODULE, SOURCE_FROM_ROOT, SOURCE_FROM_SIBLING}) {
            Path p = Path.of(candidate).toAbsolutePath().normalize();
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private record Cmd(int status, String output) {}

    /** Runs a short command with stderr merged into stdout; null if it cannot be started. */
    private static Cmd exec(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String out = readAll(p.getInputStream());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return new Cmd(p.exitValue(), out);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
