package io.mallocscope.runtime;

import io.mallocscope.runtime.fs.FileSystem;
import io.mallocscope.runtime.fs.Vfs;
import io.mallocscope.runtime.malloc.Malloc;
import io.mallocscope.runtime.memcheck.Memcheck;
import io.mallocscope.runtime.signal.Abort;
import io.mallocscope.runtime.signal.BrokenPipe;
import io.mallocscope.runtime.signal.BusError;
import io.mallocscope.runtime.signal.OutOfMemoryKill;
import io.mallocscope.runtime.signal.Segfault;
import io.mallocscope.runtime.signal.SimulatedSignal;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Kernel;

import io.mallocscope.runtime.sched.Deadlock;
import io.mallocscope.runtime.sched.Task;
import io.mallocscope.runtime.sched.WaitQueue;
import io.mallocscope.runtime.vm.Errno;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
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
    private final ProcessGroup group;
    private final int pid;
    private CProcess parent;
    private final List<CProcess> children = new ArrayList<>();
    /** Woken when a child ends. */
    private final WaitQueue childEnded;
    /** How the process ended, once it has (a zombie until its parent reaps it). */
    private ExitStatus ended;
    private boolean reaped;
    private Task task;

    private CProcess(ProcessOptions options) {
        this.group = new ProcessGroup();
        this.pid = ProcessGroup.FIRST_PID;
        this.childEnded = new WaitQueue(group.scheduler);
        this.task = group.scheduler.root();
        this.options = options;
        this.memory = new AddressSpace();
        this.kernel = new Kernel(memory, options.programName(), options.kernelLayout(), options.programImage());
        kernel.setDataLimit(options.dataLimit());
        kernel.setAddressSpaceLimit(options.addressSpaceLimit());
        kernel.setDiagnostics(options.stderr());
        kernel.setMaxMapCount(options.maxMapCount());
        memory.setPhysicalMemory(options.physicalMemory());
        this.fileSystem = new FileSystem(options.mounts());
        this.files = new Vfs(fileSystem, kernel, options.stdout(), options.stderr());
        files.setScheduler(group.scheduler);
        kernel.setInodeSource(fileSystem::newInode);
        this.malloc = Malloc.create(kernel, options.glibc(), options.tunables(), options.stderr());
        malloc.setProgramName(options.programName()); // glibc's assertion and 2.23 error lines name the program
        this.memcheck = options.memcheck() ? new Memcheck(memory, options.stderr(), 1) : null;
        malloc.setCpuCount(options.cpus());
        this.libc = new LibC(this, options.stdout(), options.stderr(), options.stdoutIsTerminal());
    }

    /** The child of {@code fork}: a copy of {@code parent}'s memory, allocator, descriptors and C library state. */
    private CProcess(CProcess parent) {
        this.options = parent.options;
        this.group = parent.group;
        this.pid = group.nextPid();
        this.parent = parent;
        this.childEnded = new WaitQueue(group.scheduler);
        this.kernel = parent.kernel.copyForFork();
        this.memory = kernel.addressSpace();
        this.fileSystem = parent.fileSystem;
        this.files = parent.files.copyForFork(kernel);
        this.malloc = parent.malloc.copyForFork(kernel);
        // as Valgrind follows a fork: the child goes on under memcheck with what the parent's knew
        this.memcheck = parent.memcheck == null ? null : parent.memcheck.copyForFork(memory, pid);
        this.libc = parent.libc.copyForFork(this);
        parent.children.add(this);
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

    ProcessGroup group() {
        return group;
    }

    /** The process id: 2 for the program, 3, 4, … for the processes it forks (see {@link ProcessGroup}). */
    public int pid() {
        return pid;
    }

    /** The parent's process id; 1 for the program and for a child whose parent has ended. */
    public int ppid() {
        return parent == null || parent.ended != null ? ProcessGroup.INIT_PID : parent.pid;
    }

    /** The processes this one forked, in order (ended ones included). */
    public List<CProcess> children() {
        return List.copyOf(children);
    }

    /** How the process ended, or null while it runs. */
    public ExitStatus endStatus() {
        return ended;
    }

    /** Every process of the run, the program first, in the order they were made. */
    public List<CProcess> processes() {
        List<CProcess> all = new ArrayList<>();
        CProcess root = this;
        while (root.parent != null) {
            root = root.parent;
        }
        collect(root, all);
        all.sort(java.util.Comparator.comparingInt(CProcess::pid));
        return all;
    }

    private static void collect(CProcess p, List<CProcess> out) {
        out.add(p);
        for (CProcess c : p.children) {
            collect(c, out);
        }
    }

    // ---------------------------------------------------------------- fork, wait, exit

    /** {@code fork()}: makes the child, which runs {@code body} when the scheduler gets to it; returns its pid. */
    int fork(ForkBody body) {
        CProcess child = new CProcess(this);
        child.task = group.scheduler.spawn("pid " + child.pid, () -> child.runChild(body));
        child.task.attach(child);
        return child.pid;
    }

    private void runChild(ForkBody body) {
        ExitStatus status;
        try {
            status = ExitStatus.exited(body.run(libc));
        } catch (ProgramExit e) {
            status = ExitStatus.exited(e.status);
        } catch (SimulatedSignal s) {
            status = ExitStatus.killed(s);
        } catch (RuntimeException e) {
            status = ExitStatus.crashed(e);
            options.stderr().print("Exception in process " + pid + " ");
            e.printStackTrace(options.stderr());
        }
        memcheckExited(status);
        end(status);
    }

    /** Memcheck's report at the process's end (its heap and leak summaries), when it runs under memcheck. */
    private void memcheckExited(ExitStatus status) {
        if (memcheck != null) {
            options.stdout().flush();
            memcheck.exited(status.signal() == null ? null : status.signal().signalNumber() + " ("
                    + signalName(status.signal()) + ")", Memcheck.globalsRoots(options.programImage()));
        }
    }

    /** The process has ended: its mappings are written back, its descriptors closed, its parent told. */
    private void end(ExitStatus status) {
        libc.flushAtExit(status);
        kernel.writeBackAll();
        files.closeAll();
        ended = status;
        if (parent != null) {
            parent.childEnded.wakeAll();
        }
    }

    /** Options of {@code waitpid}. */
    static final int WNOHANG = 1;

    /**
     * {@code waitpid(pid, wstatus, options)}: waits for a child ({@code pid} -1: any) to end, reaps it
     * and returns its pid, its wait status stored at {@code wstatus} unless that is NULL; 0 with
     * WNOHANG when none has ended yet; -1 with ECHILD when there is no such child, EINVAL for
     * unknown options. The caller blocks, so the other processes run.
     */
    int waitpid(int which, long wstatus, int waitOptions) {
        if ((waitOptions & ~WNOHANG) != 0) {
            kernel.setErrno(Errno.EINVAL);
            return -1;
        }
        while (true) {
            boolean any = false;
            for (CProcess c : children) {
                if (c.reaped || (which != -1 && which > 0 && c.pid != which)) {
                    continue;
                }
                any = true;
                if (c.ended != null) {
                    if (wstatus != 0) {
                        if (!memory.isFullyMapped(wstatus & -AddressSpace.PAGE_SIZE, ((wstatus + 4 + AddressSpace.PAGE_SIZE - 1)
                                & -AddressSpace.PAGE_SIZE)) || !memory.regionAt(wstatus).writable()) {
                            kernel.setErrno(Errno.EFAULT);
                            return -1;
                        }
                        memory.write32(wstatus, waitStatus(c.ended));
                    }
                    c.reaped = true;
                    return c.pid;
                }
            }
            if (!any) {
                kernel.setErrno(Errno.ECHILD);
                return -1;
            }
            if ((waitOptions & WNOHANG) != 0) {
                return 0;
            }
            childEnded.await();
        }
    }

    /** The wait status Linux encodes: the exit code in bits 8–15, or the signal in bits 0–6 (no core dump). */
    static int waitStatus(ExitStatus s) {
        if (s.signal() != null) {
            return s.signal().signalNumber();
        }
        return (s.code() & 0xff) << 8;
    }

    /** Waits (as init would) until every process of the run has ended; after a deadlock, ends the rest. */
    private void awaitTheOthers() {
        List<CProcess> all = processes();
        try {
            for (CProcess p : all) {
                if (p != this && p.task != null && !p.task.isFinished()) {
                    group.scheduler.join(p.task);
                }
            }
        } catch (Deadlock d) {
            options.stderr().println("mallocscope: " + d.getMessage() + ": the blocked processes are ended");
        } finally {
            group.scheduler.shutdown();
        }
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
        } catch (Deadlock d) {
            err.println("mallocscope: " + d.getMessage());
            status = ExitStatus.crashed(d);
        } catch (RuntimeException | Error e) {
            status = ExitStatus.crashed(e);
        }
        PThreads threads = libc.threadsOrNull();
        if (threads != null) {
            threads.shutdown(); // the process ended: its other threads end with it
        }
        out.flush();
        memcheckExited(status);
        // the process's end: its shared file mappings go back to their files, its descriptors close;
        // then the processes it forked run to their ends
        end(status);
        if (status.crash() instanceof Deadlock) {
            err.flush();
            awaitTheOthers();
            return status;
        }
        if (status.signal() != null) {
            err.print(signalLines(status.signal(), options.programName()));
        } else if (status.crash() != null) {
            err.print("Exception in thread \"main\" ");
            status.crash().printStackTrace(err);
        }
        err.flush();
        awaitTheOthers(); // a shell returns when the program ends; its children run on, to their own ends
        out.flush();
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
        if (signal instanceof BrokenPipe) {
            return ""; // a shell says nothing when SIGPIPE ends a program
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
