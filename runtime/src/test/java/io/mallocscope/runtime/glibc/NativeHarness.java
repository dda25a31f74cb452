package io.mallocscope.runtime.glibc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The real glibc side of the golden tests: compiles {@code src/test/c/replay.c} with gcc and runs
 * it on malloclab-style traces, so tests can compare the Java allocator with the system glibc.
 *
 * <p>Only available when gcc exists and the system glibc is 2.36 (the version the golden files
 * under {@code golden/2.36} were recorded with). Typical use:
 *
 * <pre>{@code
 * Optional<NativeHarness> native236 = NativeHarness.forSystemGlibc236();
 * Assumptions.assumeTrue(native236.isPresent(), NativeHarness.skipReason());
 * String out = native236.get().run(trace, NativeHarness.tunablesOf(trace).orElse(null));
 * }</pre>
 *
 * <p>The binary is built once per JVM into {@code target/native/replay} (written to a temporary
 * file and moved into place, so parallel forks do not see a half-written binary). Paths are
 * resolved against the working directory, which Maven sets to the module directory; running from
 * the repository root ({@code runtime/src/test/c/replay.c}) works too.
 */
public final class NativeHarness {

    /** Comment prefix carrying a trace's GLIBC_TUNABLES value. */
    public static final String TUNABLES_PREFIX = "# tunables:";

    private static final String SOURCE_IN_MODULE = "src/test/c/replay.c";
    private static final String SOURCE_FROM_ROOT = "runtime/src/test/c/replay.c";
    private static final long RUN_TIMEOUT_SECONDS = 300;

    private static final Object LOCK = new Object();
    private static boolean probed;
    private static NativeHarness instance;
    private static String skipReason = "not probed yet";

    private final Path binary;

    private NativeHarness(Path binary) {
        this.binary = binary;
    }

    /**
     * The harness compiled against the system glibc, or empty when gcc is missing, the system glibc
     * is not 2.36, or compilation fails (see {@link #skipReason()}). Probes and compiles once per JVM.
     */
    public static Optional<NativeHarness> forSystemGlibc236() {
        synchronized (LOCK) {
            if (!probed) {
                probed = true;
                try {
                    instance = probe();
                    skipReason = "";
                } catch (Unavailable e) {
                    instance = null;
                    skipReason = e.getMessage();
                }
            }
            return Optional.ofNullable(instance);
        }
    }

    /** Why {@link #forSystemGlibc236()} is empty (or "available"); for {@code Assumptions.assumeTrue}. */
    public static String skipReason() {
        forSystemGlibc236();
        synchronized (LOCK) {
            return instance != null
                    ? "native glibc 2.36 harness available"
                    : "native glibc 2.36 harness unavailable: " + skipReason;
        }
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
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), trace.toAbsolutePath().toString());
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
        if (status != 0) {
            throw new IllegalStateException("replay " + trace + (tunablesOrNull == null ? "" : " [GLIBC_TUNABLES=" + tunablesOrNull + "]")
                    + " exited with status " + status + ": " + stderr.strip());
        }
        return out;
    }

    /** Runs {@code trace} with the tunables named in its own {@code # tunables:} comment, if any. */
    public String run(Path trace) {
        return run(trace, tunablesOf(trace).orElse(null));
    }

    /**
     * Writes {@code traceText} to a temporary file, replays it and deletes the file. The tunables
     * come from the argument (not from a comment in the text).
     */
    public String runText(String traceText, String tunablesOrNull) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("mallocscope-trace-", ".rep");
            Files.writeString(tmp, traceText, StandardCharsets.UTF_8);
            return run(tmp, tunablesOrNull);
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

    // ------------------------------------------------------------------ probing / building

    private static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    private static NativeHarness probe() throws Unavailable {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            throw new Unavailable("not running on Linux (" + System.getProperty("os.name") + ")");
        }
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            throw new Unavailable("not x86_64 (" + arch + ")");
        }
        String version = systemGlibcVersion();
        if (version == null) {
            throw new Unavailable("cannot determine the system glibc version (getconf GNU_LIBC_VERSION / ldd --version)");
        }
        if (!version.equals("2.36")) {
            throw new Unavailable("system glibc is " + version + ", not 2.36");
        }
        Path source = locateSource();
        if (source == null) {
            throw new Unavailable("cannot find " + SOURCE_IN_MODULE + " from working directory "
                    + Path.of("").toAbsolutePath());
        }
        Cmd gccVersion = exec(List.of("gcc", "--version"));
        if (gccVersion == null || gccVersion.status != 0) {
            throw new Unavailable("gcc not found");
        }
        // module dir = .../runtime; source = runtime/src/test/c/replay.c
        Path moduleDir = source.toAbsolutePath().getParent().getParent().getParent().getParent();
        Path outDir = moduleDir.resolve("target").resolve("native");
        Path binary = outDir.resolve("replay");
        try {
            Files.createDirectories(outDir);
            Path tmp = Files.createTempFile(outDir, "replay-", ".tmp");
            Cmd cc = exec(List.of("gcc", "-O1", "-o", tmp.toString(), source.toString()));
            if (cc == null || cc.status != 0) {
                Files.deleteIfExists(tmp);
                throw new Unavailable("gcc failed to compile " + source + ": " + (cc == null ? "" : cc.output.strip()));
            }
            Files.move(tmp, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new Unavailable("cannot build the harness in " + outDir + ": " + e);
        }
        return new NativeHarness(binary);
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
        for (String candidate : new String[] {SOURCE_IN_MODULE, SOURCE_FROM_ROOT}) {
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
