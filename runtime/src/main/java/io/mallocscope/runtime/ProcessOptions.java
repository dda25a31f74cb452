package io.mallocscope.runtime;

import io.mallocscope.runtime.fs.FileSystem;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Kernel;
import io.mallocscope.runtime.vm.KernelLayout;
import io.mallocscope.runtime.vm.ProgramImage;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to set up a simulated process: the glibc profile and tunables its allocator uses, where its
 * stdout and stderr go, and the kernel limits. Immutable; the {@code with…} methods return copies.
 */
public final class ProcessOptions {
    /** The default glibc profile. */
    public static final String DEFAULT_GLIBC = "2.36";
    /** The default number of CPUs ({@link #withCpus}). */
    public static final int DEFAULT_CPUS = 1;
    /** Separates the mounts in the system property {@code mallocscope.mounts} a launcher sets. */
    public static final String MOUNT_SEPARATOR = ";";

    private final String programName;
    private final String glibc;
    private final String tunables;
    private final PrintStream stdout;
    private final PrintStream stderr;
    private final long dataLimit;
    private final long addressSpaceLimit;
    private final boolean stdoutIsTerminal;
    private final KernelLayout kernelLayout;
    private final ProgramImage programImage;
    private final List<FileSystem.Mount> mounts;

    private final long physicalMemory;
    private final int maxMapCount;
    private final boolean memcheck;
    private final int cpus;

    private ProcessOptions(String programName, String glibc, String tunables, PrintStream stdout, PrintStream stderr,
                           long dataLimit, long addressSpaceLimit, boolean stdoutIsTerminal, List<FileSystem.Mount> mounts,
                           KernelLayout kernelLayout, long physicalMemory, int maxMapCount, boolean memcheck,
                           ProgramImage programImage, int cpus) {
        this.programImage = programImage;
        this.memcheck = memcheck;
        this.cpus = cpus;
        this.physicalMemory = physicalMemory;
        this.maxMapCount = maxMapCount;
        this.kernelLayout = kernelLayout;
        this.programName = programName;
        this.glibc = glibc;
        this.tunables = tunables;
        this.stdout = stdout;
        this.stderr = stderr;
        this.dataLimit = dataLimit;
        this.addressSpaceLimit = addressSpaceLimit;
        this.stdoutIsTerminal = stdoutIsTerminal;
        this.mounts = List.copyOf(mounts);
    }

    /** glibc 2.36, no tunables, the JVM's stdout and stderr, no limits. */
    public static ProcessOptions defaults() {
        return new ProcessOptions("a.out", DEFAULT_GLIBC, "", System.out, System.err, Kernel.UNLIMITED,
                Kernel.UNLIMITED, false, List.of(), KernelLayout.CLASSIC,
                defaultPhysicalMemory(), Kernel.DEFAULT_MAX_MAP_COUNT, false, ProgramImage.SMALL, DEFAULT_CPUS);
    }

    /**
     * The defaults, with the profile and tunables taken from the environment as a launcher sets
     * them: system property {@code mallocscope.glibc} (or env {@code MALLOCSCOPE_GLIBC}), system
     * property {@code mallocscope.tunables} (or env {@code GLIBC_TUNABLES}), and
     * {@code mallocscope.stdout.tty=true} when the program's stdout should count as a terminal, and
     * {@code mallocscope.mounts} with {@code HOSTDIR:/PATH[:ro]} mounts separated by {@code ;}, and
     * {@code mallocscope.memcheck=true} to run under memcheck; {@code mallocscope.stdio=frames} first puts
     * the JVM's stdout and stderr through one pipe ({@link StdioFrames}) for the launcher reading it.
     */
    public static ProcessOptions fromEnvironment() {
        StdioFrames.installIfAsked();
        ProcessOptions o = defaults();
        String glibc = firstNonEmpty(System.getProperty("mallocscope.glibc"), System.getenv("MALLOCSCOPE_GLIBC"));
        if (glibc != null) {
            o = o.withGlibc(glibc);
        }
        String tunables = firstNonEmpty(System.getProperty("mallocscope.tunables"), System.getenv("GLIBC_TUNABLES"));
        if (tunables != null) {
            o = o.withTunables(tunables);
        }
        if (Boolean.getBoolean("mallocscope.stdout.tty")) {
            o = o.withStdoutTerminal(true);
        }
        if (Boolean.getBoolean("mallocscope.memcheck")) {
            o = o.withMemcheck(true);
        }
        String mounts = System.getProperty("mallocscope.mounts");
        if (mounts != null && !mounts.isEmpty()) {
            for (String m : mounts.split(MOUNT_SEPARATOR)) {
                o = o.withMount(FileSystem.Mount.parse(m));
            }
        }
        return o;
    }

    private static String firstNonEmpty(String a, String b) {
        if (a != null && !a.isEmpty()) {
            return a;
        }
        return b != null && !b.isEmpty() ? b : null;
    }

    public ProcessOptions withProgramName(String name) {
        return new ProcessOptions(Objects.requireNonNull(name), glibc, tunables, stdout, stderr, dataLimit,
                addressSpaceLimit, stdoutIsTerminal, mounts, kernelLayout, physicalMemory, maxMapCount, memcheck, programImage, cpus);
    }

    /** The glibc profile, e.g. "2.36" or "2.31". */
    public ProcessOptions withGlibc(String version) {
        return new ProcessOptions(programName, Objects.requireNonNull(version), tunables, stdout, stderr, dataLimit,
                addressSpaceLimit, stdoutIsTerminal, mounts, kernelLayout, physicalMemory, maxMapCount, memcheck, programImage, cpus);
    }

    /** Tunables in {@code GLIBC_TUNABLES} syntax: {@code glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0}. */
    public ProcessOptions withTunables(String tunables) {
        return new ProcessOptions(programName, glibc, tunables == null ? "" : tunables, stdout, stderr, dataLimit,
                addressSpaceLimit, stdoutIsTerminal, mounts, kernelLayout, physicalMemory, maxMapCount, memcheck, programImage, cpus);
    }

    public ProcessOptions withStdout(OutputStream out) {
        return new ProcessOptions(programName, glibc, tunables, print(out), stderr, dataLimit, addressSpaceLimit,
                stdoutIsTerminal, mounts, kernelLayout, physicalMemory, maxMapCount, memcheck, programImage, cpus);
    }

    public ProcessOptions withStderr(OutputStream err) {
        return new ProcessOptions(programName, glibc, tunables, stdout, print(err), dataLimit, addressSpaceLimit,
                stdoutIsTerminal, mounts, kernelLayout, physicalMemory, maxMapCount, memcheck, programImage, cpus);
    }

    /** A limit on how far the program break may rise (like RLIMIT_DATA), in bytes. */
    public ProcessOptions withDataLimit(long bytes) {
        return new ProcessOptions(programName, glibc, tunables, stdout, stderr, bytes, addressSpaceLimit,
                stdoutIsTerminal, mounts, kernelLayout, physicalMemory, maxMapCount, memcheck, programImage, cpus);
    }

    /** A limit on all mappings together (like RLIMIT_AS), in bytes. */
    public ProcessOptions withAddressSpaceLimit(long bytes) {
        return new ProcessOptions(programName, glibc, tunables, stdout, stderr, dataLimit, bytes, stdoutIsTerminal, mounts,
                kernelLayout, physicalMemory, maxMapCount, memcheck, programImage, cpus);
    }

    /**
     * Whether stdout counts as a terminal: glibc then allocates a 1 KiB stdout buffer at the first
     * output instead of a 4 KiB one, which moves later heap addresses.
     */
    public ProcessOptions withStdoutTerminal(boolean terminal) {
        return new ProcessOptions(programName, glibc, tunables, stdout, stderr, dataLimit, addressSpaceLimit,
                terminal, mounts, kernelLayout, physicalMemory, maxMapCount, memcheck, programImage, cpus);
    }

    /**
     * Mounts the host directory {@code mount.hostDir()} at {@code mount.at()} in the process's file
     * system (read-only if so marked); repeatable. The directory must exist when the process starts.
     */
    public ProcessOptions withMount(FileSystem.Mount mount) {
        List<FileSystem.Mount> more = new ArrayList<>(mounts);
        more.add(Objects.requireNonNull(mount));
        return new ProcessOptions(programName, glibc, tunables, stdout, stderr, dataLimit, addressSpaceLimit,
                stdoutIsTerminal, more, kernelLayout, physicalMemory, maxMapCount, memcheck, programImage, cpus);
    }

    /**
     * Whether the process runs under memcheck (see {@link io.mallocscope.runtime.memcheck.Memcheck}): a
     * shadow of the heap beside it reports invalid accesses, uses of uninitialised bytes, bad frees
     * and leaks in Valgrind's words on stderr. The heap is the same as without it, byte for byte.
     */
    public ProcessOptions withMemcheck(boolean on) {
        return new ProcessOptions(programName, glibc, tunables, stdout, stderr, dataLimit, addressSpaceLimit,
                stdoutIsTerminal, mounts, kernelLayout, physicalMemory, maxMapCount, on, programImage, cpus);
    }

    /** Whether memcheck is on ({@link #withMemcheck}). */
    public boolean memcheck() {
        return memcheck;
    }

    /** The host directories mounted into the file system, in the order given. */
    public List<FileSystem.Mount> mounts() {
        return mounts;
    }

    /**
     * Where the kernel puts libc, ld.so and the vDSO, and how many auxv entries it gives a new
     * process. Default {@link KernelLayout#CLASSIC} (libc at 0x7ffff7dd3000); to compare with a native
     * run, use {@link KernelLayout#detect()} (libc at 0x7ffff7dd5000 on a kernel with [vvar_vclock]).
     */
    public ProcessOptions withKernelLayout(KernelLayout layout) {
        return new ProcessOptions(programName, glibc, tunables, stdout, stderr, dataLimit, addressSpaceLimit,
                stdoutIsTerminal, mounts, Objects.requireNonNull(layout), physicalMemory, maxMapCount, memcheck, programImage, cpus);
    }

    /**
     * The simulated machine's CPUs, as glibc's {@code __get_nprocs_sched} reports them: once more
     * than {@code arena_test} arenas exist, malloc makes at most 8 × CPUs arenas unless
     * {@code glibc.malloc.arena_max} says otherwise. Default {@value #DEFAULT_CPUS} (threads run one
     * at a time anyway).
     */
    public ProcessOptions withCpus(int cpus) {
        if (cpus < 1) {
            throw new IllegalArgumentException("CPU count must be at least 1: " + cpus);
        }
        return new ProcessOptions(programName, glibc, tunables, stdout, stderr, dataLimit, addressSpaceLimit,
                stdoutIsTerminal, mounts, kernelLayout, physicalMemory, maxMapCount, memcheck, programImage, cpus);
    }

    public int cpus() {
        return cpus;
    }

    public KernelLayout kernelLayout() {
        return kernelLayout;
    }

    /**
     * The pages of the program's read-only and writable data (default {@link ProgramImage#SMALL}):
     * a bigger image moves .data, .bss and the heap up, as for a C program with many string literals.
     */
    public ProcessOptions withProgramImage(ProgramImage image) {
        return new ProcessOptions(programName, glibc, tunables, stdout, stderr, dataLimit, addressSpaceLimit,
                stdoutIsTerminal, mounts, kernelLayout, physicalMemory, maxMapCount, memcheck,
                Objects.requireNonNull(image), cpus);
    }

    public ProgramImage programImage() {
        return programImage;
    }

    /**
     * The simulated machine's physical memory, in bytes: when the program has written to that much,
     * the next new page kills it as Linux's OOM killer does (SIGKILL, status 137, "Killed").
     * {@code Long.MAX_VALUE} turns the limit off (then the JVM's heap is the limit).
     */
    public ProcessOptions withPhysicalMemory(long bytes) {
        if (bytes < AddressSpace.PAGE_SIZE) {
            throw new IllegalArgumentException("physical memory of " + bytes + " bytes: at least one page (4096) is needed");
        }
        return new ProcessOptions(programName, glibc, tunables, stdout, stderr, dataLimit, addressSpaceLimit,
                stdoutIsTerminal, mounts, kernelLayout, bytes, maxMapCount, memcheck, programImage, cpus);
    }

    /** {@code vm.max_map_count}: how many mappings the process may have (Linux's default: 65530). */
    public ProcessOptions withMaxMapCount(int count) {
        return new ProcessOptions(programName, glibc, tunables, stdout, stderr, dataLimit, addressSpaceLimit,
                stdoutIsTerminal, mounts, kernelLayout, physicalMemory, count, memcheck, programImage, cpus);
    }

    /**
     * The system property {@code mallocscope.memory} when set (bytes, or with a k, m or g suffix:
     * {@code -Dmallocscope.memory=64m}), else half the JVM's maximum heap ({@code -Xmx}, e.g. through
     * {@code MALLOCSCOPE_JAVA_OPTS}), in whole pages: each simulated page costs a little more than its
     * 4 KiB of Java heap, and the other half is left for the rest (the allocator, the recording agent,
     * the views).
     */
    public static long defaultPhysicalMemory() {
        String set = System.getProperty("mallocscope.memory");
        if (set != null && !set.isBlank()) {
            return parseSize(set.strip());
        }
        long max = Runtime.getRuntime().maxMemory();
        if (max == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return Math.max(AddressSpace.PAGE_SIZE, (max / 2) & ~(AddressSpace.PAGE_SIZE - 1));
    }

    /** "65536", "64k", "64m", "2g" (binary units), at least one page. */
    static long parseSize(String text) {
        String t = text.toLowerCase(java.util.Locale.ROOT);
        int shift = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        long v;
        try {
            v = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mallocscope.memory=" + text + ": expected a size such as 512m or 2g");
        }
        if (v <= 0 || v > (Long.MAX_VALUE >> shift) || (v << shift) < AddressSpace.PAGE_SIZE) {
            throw new IllegalArgumentException("mallocscope.memory=" + text + ": at least 4k and at most 8191p");
        }
        return (v << shift) & ~(AddressSpace.PAGE_SIZE - 1);
    }

    public long physicalMemory() {
        return physicalMemory;
    }

    public int maxMapCount() {
        return maxMapCount;
    }

    public String programName() {
        return programName;
    }

    public String glibc() {
        return glibc;
    }

    public String tunables() {
        return tunables;
    }

    public PrintStream stdout() {
        return stdout;
    }

    public PrintStream stderr() {
        return stderr;
    }

    public long dataLimit() {
        return dataLimit;
    }

    public long addressSpaceLimit() {
        return addressSpaceLimit;
    }

    public boolean stdoutIsTerminal() {
        return stdoutIsTerminal;
    }

    private static PrintStream print(OutputStream out) {
        if (out instanceof PrintStream ps) {
            return ps;
        }
        return out instanceof StdoutFrontEnd ? new FrontEndStream(out) : new PrintStream(out, true,
                java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The print stream of a {@link StdoutFrontEnd} sink, still recognisable as one. */
    private static final class FrontEndStream extends PrintStream implements StdoutFrontEnd {
        FrontEndStream(OutputStream out) {
            super(out, true, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
