package io.mallocscope.runtime;

import io.mallocscope.runtime.fs.FileSystem;
import io.mallocscope.runtime.fs.Vfs;
import io.mallocscope.runtime.malloc.Malloc;
import io.mallocscope.runtime.memcheck.Memcheck;
import io.mallocscope.runtime.signal.Abort;
import io.mallocscope.runtime.signal.BusError;
import io.mallocscope.runtime.signal.OutOfMemoryKill;
import io.mallocscope.runtime.signal.Segfault;
import io.mallocscope.runtime.signal.SimulatedSignal;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Kernel;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One simulated Linux process: an address space laid out like a small PIE with ASLR off, the
 * kernel calls, glibc's allocator and the {@link LibC} a program calls. Run a program with
 * {@link #run(CProgram, String...)}; or take {@link #libc()} and call it directly (coursework,
 * tests).
 */
public final class CProcess {
    private final ProcessOptions options;
    private final AddressSpace memory;
    private final Kernel kernel;
    private final Malloc malloc;
    private final LibC libc;
    private final FileSystem fileSystem;
    private final Vfs files;
    /** The memcheck shadow, or null when memcheck is off (nearly always). */
    private final Memcheck memcheck;

    private CProcess(ProcessOptions options) {
        this.options = options;
        this.memory = new AddressSpace();
        this.kernel = new Kernel(memory, options.programName(), options.kernelLayout());
        kernel.setDataLimit(options.dataLimit());
        kernel.setAddressSpaceLimit(options.addressSpaceLimit());
        kernel.setDiagnostics(options.stderr());
        kernel.setMaxMapCount(options.maxMapCount());
        memory.setPhysicalMemory(options.physicalMemory());
        this.fileSystem = new FileSystem(options.mounts());
        this.files = new Vfs(fileSystem, kernel, options.stdout(), options.stderr());
        kernel.setInodeSource(fileSystem::newInode);
        this.malloc = Malloc.create(kernel, options.glibc(), options.tunables(), options.stderr());
        malloc.setProgramName(options.programName()); // glibc's assertion and 2.23 error lines name the program
        this.memcheck = options.memcheck() ? new Memcheck(memory, options.stderr(), 1) : null;
        this.libc = new LibC(this, options.stdout(), options.stderr(), options.stdoutIsTerminal());
    }

    /** A fresh process with default options (glibc 2.36, the JVM's stdout and stderr). */
    public static CProcess create() {
        return new CProcess(ProcessOptions.defaults());
    }

    public static CProcess create(ProcessOptions options) {
        return new CProcess(options);
    }

    public LibC libc() {
        return libc;
    }

    /** The memcheck shadow when the process runs under memcheck ({@link ProcessOptions#withMemcheck}), else null. */
    public Memcheck memcheck() {
        return memcheck;
    }

    public ProcessOptions options() {
        return options;
    }

    public String programName() {
        return options.programName();
    }

    public AddressSpace memory() {
        return memory;
    }

    public Kernel kernel() {
        return kernel;
    }

    public Malloc malloc() {
        return malloc;
    }

    /** The file system the process sees (the in-memory tree and the mounts). */
    public FileSystem fileSystem() {
        return fileSystem;
    }

    /** The process's descriptor table and file system calls. */
    public Vfs files() {
        return files;
    }

    /**
     * Runs {@code program} with {@code args} ({@code argv[0]} is the program name) and returns how it
     * ended. Whatever the program printed is flushed first; after a signal, the shell's line
     * ("Aborted", "Segmentation fault") goes to stderr; a Java exception thrown by the program is
     * printed as an uncaught exception and gives status 1.
     */
    public ExitStatus run(CProgram program, String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = options.programName();
        System.arraycopy(args, 0, argv, 1, args.length);
        PrintStream out = options.stdout();
        PrintStream err = options.stderr();
        ExitStatus status;
        try {
            status = ExitStatus.exited(program.main(libc, argv));
        } catch (ProgramExit e) {
            status = ExitStatus.exited(e.status);
        } catch (SimulatedSignal s) {
            status = ExitStatus.killed(s);
        } catch (OutOfMemoryError e) {
            // the last resort: the JVM's heap ran out before the simulated memory did
            status = ExitStatus.killed(new OutOfMemoryKill(memory.mappedTotal() >>> 10,
                    (long) memory.residentPages() << 2, memory.physicalMemory(), true));
        } catch (RuntimeException | Error e) {
            status = ExitStatus.crashed(e);
        }
        out.flush();
        if (memcheck != null) {
            memcheck.exited(status.signal() == null ? null : status.signal().signalNumber() + " ("
                    + signalName(status.signal()) + ")", Memcheck.globalsRoots());
        }
        // the process's end: its shared file mappings go back to their files, its descriptors close
        kernel.writeBackAll();
        files.closeAll();
        if (status.signal() != null) {
            err.print(signalLines(status.signal(), options.programName()));
        } else if (status.crash() != null) {
            err.print("Exception in thread \"main\" ");
            status.crash().printStackTrace(err);
        }
        err.flush();
        return status;
    }

    /**
     * What stderr shows when {@code signal} ends {@code program}: the shell's line ("Aborted",
     * "Segmentation fault (why)", "Killed" after the OOM killer's line), each ending in a newline.
     */
    public static String signalLines(SimulatedSignal signal, String program) {
        String nl = System.lineSeparator();
        if (signal instanceof OutOfMemoryKill oom) {
            return oom.killLine(program) + nl + oom.shellDescription() + nl;
        }
        if (signal instanceof Segfault segv) {
            return "Segmentation fault (" + segv.getMessage().substring("SIGSEGV: ".length()) + ")" + nl;
        }
        if (signal instanceof BusError bus) {
            return "Bus error (" + bus.getMessage().substring("SIGBUS: ".length()) + ")" + nl;
        }
        return signal.shellDescription() + nl;
    }

    private static String signalName(SimulatedSignal s) {
        return s instanceof Segfault ? "SIGSEGV" : s instanceof BusError ? "SIGBUS" : s instanceof Abort ? "SIGABRT" : s instanceof OutOfMemoryKill ? "SIGKILL"
                : "signal " + s.signalNumber();
    }

    /** What a program printed and how it ended; from {@link #runCaptured}. */
    public record Captured(ExitStatus status, String stdout, String stderr, CProcess process) {
    }

    /** Runs {@code program} in a fresh process with {@code options}, capturing stdout and stderr. */
    public static Captured runCaptured(ProcessOptions options, CProgram program, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CProcess p = create(options.withStdout(out).withStderr(err));
        ExitStatus status = p.run(program, args);
        return new Captured(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), p);
    }
}
