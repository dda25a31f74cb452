package io.mallocscope.agent;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ExitStatus;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.signal.Abort;
import io.mallocscope.runtime.signal.SimulatedSignal;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.text.Hex;
import io.mallocscope.runtime.timeline.Functions;
import io.mallocscope.runtime.timeline.TimelineHeader;
import io.mallocscope.runtime.timeline.TimelineWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hooks the inlined advice calls. Public only because advice code is copied into runtime
 * classes; not an API. Every hook is cheap when it has nothing to do, never throws (a failure is
 * counted and reported at exit), and records only the first simulated process of the JVM (the one
 * the recording is about) with the processes it forks. One simulated thread or process runs at a
 * time (each on a Java thread of its own, handing a baton over at blocking points), so this
 * bookkeeping needs no locks; a {@code context} record is written where the running one changes.
 */
public final class Recorder {
    private Recorder() {
    }

    // multi-byte write operations bound into RangeAdvice
    static final int W_COPY = 0;     // memcpy, memmove, strncpy: (dest, ?, n)
    static final int W_STRING = 1;   // strcpy, putString: dest, NUL-terminated

    private static final AgentOptions options = AgentState.options;
    // written by the shutdown hook's thread, read by the program's: volatile (a plain load on x86)
    private static volatile boolean enabled = AgentState.enabled;
    private static final boolean stackSitesWanted = "stack".equals(options.sites);
    private static final boolean sitesOff = "off".equals(options.sites);
    // what is recorded, as constants the JIT folds into the woven methods
    private static final boolean CALLS = options.calls;
    private static final boolean TRANSITIONS = options.transitions;
    private static final boolean SYSCALLS = options.syscalls;
    private static final boolean WRITES = options.writes;
    private static final boolean attached = AgentState.attached;
    private static final long startMillis = AgentState.startMillis;
    private static final String mainName = AgentState.mainName;

    static {
        AgentState.recorderLoaded = true;
    }

    private static LibC libc;
    private static CProcess process;
    /**
     * The Java thread the recorded process runs on. Processes it forks run on threads of their own
     * (one at a time); their signals and glibc messages are not the recorded process's.
     */
    private static Thread processThread;
    private static String[] argv;
    private static TimelineWriter writer;
    private static Path file;
    private static boolean openFailed;
    private static boolean finished;
    /** Under each=DIR: the recorded process's timeline name, and how many processes were recorded. */
    private static String recordingName;
    private static int processesRecorded;

    private static int depth;
    private static int writeDepth;
    private static int pendingSite;
    /**
     * The site of the program's writes from here on, and the id of the Java thread (simulated thread)
     * that set it: a long, not the Thread, so a marker's store needs no GC write barrier.
     */
    private static int writeSite;
    private static long writeSiteThread;
    /** The last site an interpreter named ({@link #sourceSite}), by identity, and its id. */
    private static String lastSourceSite;
    private static int lastSourceSiteId;
    private static boolean abortRecorded;
    private static final BitSet definedSites = new BitSet();
    private static final Map<String, Integer> stackSites = new HashMap<>();

    /** The LibCs of the processes the recorded one forked (and they forked): their events are recorded too. */
    private static LibC[] children = new LibC[0];
    /** The LibC each Java thread of the recorded processes runs (a simulated thread or a forked process). */
    private static final Map<Thread, LibC> threadLibc = new HashMap<>();
    /** The Java thread of the last event written, and the process and thread the timeline is at. */
    private static Thread lastThread;
    /** The program's pid in the simulator's PID namespace: events before the first context record are its main thread's. */
    static final int FIRST_PID = 2;
    private static int lastPid = FIRST_PID;
    private static int lastThreadNumber;

    private static final AtomicLong errors = new AtomicLong();
    private static volatile String firstError;


    // ================================================================ call sites

    /** The program is about to call LibC at site {@code id} (inserted before each call by {@link CallSites}). */
    public static void site(int id) {
        pendingSite = id;
        writeSite = id; // what the call writes for the program (strdup's copy, fgets' line) is written here
        writeSiteThread = Thread.currentThread().getId();
    }

    /**
     * The program is about to store at site {@code id} (inserted by {@link CallSites} before each LibC
     * store: putLong, memcpy, memset …): the site of the writes it records. Two stores, no lookup.
     */
    public static void writeSite(int id) {
        writeSite = id;
        writeSiteThread = Thread.currentThread().getId();
    }

    /**
     * The site of a write being recorded, defined in the file before its first use: the last one a
     * marker set on this Java thread; 0 when another simulated thread set it since (a write made inside
     * a call that blocked, such as pthread_join's {@code *retval}: unknown rather than another thread's).
     */
    private static int writeSiteNow(TimelineWriter w) {
        if (writeSiteThread != Thread.currentThread().getId()) {
            return 0;
        }
        int site = writeSite;
        if (site != 0 && !definedSites.get(site)) {
            definedSites.set(site);
            w.defineSite(site, siteName(site));
        }
        return site;
    }

    private static String siteName(int id) {
        return stackSitesWanted ? stackSiteName(id) : CallSites.name(id);
    }

    /**
     * An interpreted program (the C front end) is at {@code site}, {@code "prog.c:LINE"}: the site of
     * its next recorded call, unless sites are off. Under sites=stack too: the Java stack would only
     * name the interpreter.
     */
    public static void sourceSite(String site) {
        if (!sitesOff) {
            int id;
            if (site == lastSourceSite) {
                id = lastSourceSiteId; // an interpreter names a line by one String: a store in a loop looks nothing up
            } else {
                id = stackSitesWanted ? stackSiteId(site) : CallSites.register(site);
                lastSourceSite = site;
                lastSourceSiteId = id;
            }
            pendingSite = id;
            writeSite = id;
            writeSiteThread = Thread.currentThread().getId();
        }
    }

    // ================================================================ process lifecycle

    /**
     * A CProcess is being constructed with {@code processOptions}: until the recorded process
     * exists, each one gets stdout and stderr streams that also record what they carry
     * ({@link OutputTee}). The first construction that completes is the recorded process, so only
     * its streams ever print.
     */
    public static Object teeOutput(Object processOptions) {
        if (!(processOptions instanceof ProcessOptions) || !enabled || !options.output
                || (options.each == null && (process != null || libc != null))) {
            return processOptions;
        }
        try {
            ProcessOptions o = (ProcessOptions) processOptions;
            PrintStream out = o.stdout();
            PrintStream err = o.stderr();
            return o.withStdout(OutputTee.around(out, LibC.STDOUT)).withStderr(OutputTee.around(err, LibC.STDERR));
        } catch (Throwable t) {
            failed(t);
            return processOptions;
        }
    }

    /** The recorded process printed {@code len} bytes of {@code b} on {@code stream} (1 stdout, 2 stderr). */
    public static void output(int stream, byte[] b, int off, int len) {
        if (!enabled || len <= 0) {
            return;
        }
        try {
            TimelineWriter w = writer();
            if (w != null) {
                switchContext(w);
                w.output(stream, b, off, len);
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    /**
     * A CProcess was constructed: the first one becomes the recorded process; under each=DIR every one
     * does, the previous one's timeline being completed first.
     */
    public static void processCreated(Object p) {
        if (!enabled) {
            return;
        }
        try {
            if (process != null && forkedFromOurs((CProcess) p)) {
                LibC[] c = java.util.Arrays.copyOf(children, children.length + 1);
                c[children.length] = ((CProcess) p).libc();
                children = c;
                return;
            }
            if (libc != null && options.each == null) {
                return;
            }
            if (options.each != null) {
                nextProcess();
            }
            process = (CProcess) p;
            libc = process.libc();
            processThread = Thread.currentThread();
            threadLibc.put(processThread, libc);
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** Whether {@code p} is a process forked by the recorded one or its descendants (pid 2 is the first of a run). */
    private static boolean forkedFromOurs(CProcess p) {
        return p != process && p.processes().get(0) == process;
    }

    /** Whether {@code c} is the LibC of the recorded process or of a process it forked. */
    private static boolean ours(Object c) {
        if (c == libc) {
            return true;
        }
        for (LibC k : children) {
            if (k == c) {
                return true;
            }
        }
        return false;
    }

    /**
     * A forked process's body or a new thread's start routine begins on the current Java thread with
     * {@code c}: its events are recorded under its pid and thread number.
     */
    public static void contextStarts(Object c) {
        if (enabled && c != null && ours(c)) {
            threadLibc.put(Thread.currentThread(), (LibC) c);
        }
    }

    /**
     * Writes a context record when the event about to be written is of another process or thread than
     * the last one: the Java thread tells (one per simulated thread and process), so a single-threaded
     * recording pays one comparison per event and writes none.
     */
    private static void switchContext(TimelineWriter w) {
        Thread t = Thread.currentThread();
        if (t == lastThread) {
            return;
        }
        LibC c = threadLibc.get(t);
        if (c == null) {
            if (libc == null) {
                return;
            }
            // a Java thread no simulated thread or process started on: the recorded program's own code
            // run on a thread of its own (the C front end runs main on one with a deep stack)
            c = libc;
            threadLibc.put(t, c);
        }
        lastThread = t;
        int pid = c.getpid();
        int number = c.threadNumber();
        if (pid != lastPid || number != lastThreadNumber) {
            lastPid = pid;
            lastThreadNumber = number;
            w.context(pid, number);
        }
    }

    /** CProcess.run begins: the header can now name argv. */
    public static void runStarted(Object p, String[] args) {
        if (!enabled || p != process || writer != null) {
            return;
        }
        try {
            String[] a = new String[args.length + 1];
            a[0] = process.programName();
            System.arraycopy(args, 0, a, 1, args.length);
            argv = a;
            writer();
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** CProcess.run ended with {@code status}: a program abort (abort(), assert) is recorded here. */
    public static void runEnded(Object p, Object status) {
        if (!enabled || p != process) {
            return;
        }
        try {
            depth = 0;
            writeDepth = 0;
            SimulatedSignal s = ((ExitStatus) status).signal();
            if (s instanceof Abort && !abortRecorded) {
                TimelineWriter w = writer();
                if (w != null) {
                    w.abort(s.getMessage());
                }
            }
            TimelineWriter w = writer;
            if (w != null) {
                w.flush();
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    // ================================================================ calls

    /** A recorded LibC function is entered; true when this is the outermost one (a top-level call). */
    public static boolean callEnter(Object c, int fn, long a0, long a1, long a2, long a3, long a4, long a5) {
        return callEnterAt(c, fn, TAKE_PENDING, a0, a1, a2, a3, a4, a5);
    }

    /** {@link #callEnterAt}'s site when the call takes the pending one (set by the marker just before it). */
    private static final int TAKE_PENDING = -1;

    /**
     * {@link #callEnter} at {@code site}: the pending site ({@link #TAKE_PENDING}), or the one a blocking
     * call took as it was entered ({@link #blockingEnter}).
     */
    private static boolean callEnterAt(Object c, int fn, int givenSite, long a0, long a1, long a2, long a3, long a4,
                                       long a5) {
        if (depth != 0 || !enabled) {
            return false;
        }
        // the common case, kept small for the JIT to inline into every woven call: the recorded process's
        // call, on the thread of the last event, at no site or a defined one
        TimelineWriter w = writer;
        if (c == libc && w != null && CALLS && !stackSitesWanted && Thread.currentThread() == lastThread) {
            int site = givenSite != TAKE_PENDING ? givenSite : fn == Functions.PTHREAD_EXIT ? 0 : pendingSite;
            if (site == 0 || definedSites.get(site)) {
                if (givenSite == TAKE_PENDING && fn != Functions.PTHREAD_EXIT) {
                    pendingSite = 0;
                }
                try {
                    w.call(fn, site, a0, a1, a2, a3, a4, a5);
                } catch (Throwable t) {
                    failed(t);
                    return false;
                }
                depth = 1;
                abortRecorded = false;
                return true;
            }
        }
        return callEnterFirst(c, fn, givenSite, a0, a1, a2, a3, a4, a5);
    }

    /**
     * {@link #callEnterAt} when there is more to do than write the call: the first call (the writer is
     * opened), another process's or thread's (a context record first), a site not yet defined, a call
     * of a process not recorded.
     */
    private static boolean callEnterFirst(Object c, int fn, int givenSite, long a0, long a1, long a2, long a3,
                                          long a4, long a5) {
        try {
            if (c != libc) {
                if (libc != null) {
                    if (!ours(c)) {
                        return false;
                    }
                } else {
                    libc = (LibC) c;
                    process = libc.process();
                    processThread = Thread.currentThread();
                    threadLibc.put(processThread, libc);
                }
            }
            // a thread's end is the library's doing, not a call of the program: no site of the program's
            int site;
            if (givenSite != TAKE_PENDING) {
                site = givenSite;
            } else {
                site = fn == Functions.PTHREAD_EXIT ? 0 : pendingSite;
                pendingSite = fn == Functions.PTHREAD_EXIT ? pendingSite : 0;
            }
            TimelineWriter w = writer();
            if (w != null && CALLS) {
                if (site == 0 && stackSitesWanted) {
                    site = stackSite();
                }
                switchContext(w);
                if (site != 0 && !definedSites.get(site)) {
                    definedSites.set(site);
                    w.defineSite(site, siteName(site));
                }
                w.call(fn, site, a0, a1, a2, a3, a4, a5);
            }
            depth = 1;
            abortRecorded = false;
            return true;
        } catch (Throwable t) {
            failed(t);
            return false;
        }
    }

    /** pthread_create(thread, attr, …) is entered: recorded with the attribute's stack size (0: default) and guard size. */
    public static boolean pthreadCreateEnter(Object c, int fn, long thread, long attr) {
        if (depth != 0 || !enabled) {
            return false;
        }
        long stacksize = 0;
        long guardsize = PAGE;
        try {
            if (attr != 0) {
                io.mallocscope.runtime.vm.AddressSpace m = ((LibC) c).process().memory();
                stacksize = m.read64(attr + ATTR_STACKSIZE);
                guardsize = m.read64(attr + ATTR_GUARDSIZE);
            }
        } catch (Throwable t) {
            failed(t);
        }
        return callEnter(c, fn, thread, stacksize, guardsize, 0, 0, 0);
    }

    /** pthread_attr_t as glibc lays it out (guardsize at +0x10, stacksize at +0x20), and the page size. */
    private static final int ATTR_GUARDSIZE = 0x10;
    private static final int ATTR_STACKSIZE = 0x20;
    private static final long PAGE = 4096;

    /**
     * A call that blocks (pthread_join, waitpid) is entered: its site, taken now. The pending site is one
     * for all simulated threads (only one runs at a time, and a marker is followed by its call with no
     * switch between), but while this call blocks other threads run and set it for their own calls.
     */
    public static int blockingEnter() {
        if (depth != 0 || !enabled) {
            return 0;
        }
        int site = pendingSite;
        pendingSite = 0;
        return site;
    }

    /**
     * A call that blocked (pthread_join, waitpid) returned {@code ret}: its call (at {@code site}, the one
     * {@link #blockingEnter} took) and return are written now.
     */
    public static void callAfterBlocking(Object c, int fn, int site, long a0, long a1, long a2, long a3, long ret) {
        if (callEnterAt(c, fn, site, a0, a1, a2, a3, 0, 0)) {
            callExit(fn, ret, null);
        }
    }

    /** waitpid (or wait) returned {@code ret}: recorded with the wait status it stored. */
    public static void waited(Object c, int site, int pid, long wstatus, int waitOptions, int ret) {
        if (depth != 0 || !enabled || !ours(c)) {
            return;
        }
        long status = 0;
        try {
            if (ret > 0 && wstatus != 0) {
                status = ((LibC) c).process().memory().read32(wstatus) & 0xffffffffL;
            }
        } catch (Throwable t) {
            failed(t);
        }
        callAfterBlocking(c, Functions.WAITPID, site, pid, wstatus, waitOptions, status, ret);
    }

    /** The outermost call returned {@code ret}, or ended by {@code thrown}. */
    public static void callExit(int fn, long ret, Throwable thrown) {
        depth = 0;
        try {
            TimelineWriter w = writer;
            if (w == null || !CALLS) {
                return;
            }
            if (thrown == null) {
                w.ret(fn, ret);
            } else {
                w.unwound(thrown instanceof SimulatedSignal s ? s.signalNumber() : 0);
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    // ================================================================ transitions and kernel calls

    /**
     * An allocator transition: {@code kind} is the {@link EventKind} ordinal its hook's
     * {@code @TransitionPoint} names (bound by {@link Instrumenter}), the values the hook's arguments.
     */
    public static void transition(int kind, long a0, long a1, long a2, long a3, long a4, long a5) {
        if (depth == 0 || !TRANSITIONS) {
            return;
        }
        try {
            TimelineWriter w = writer;
            if (w != null) {
                w.transition(kind, a0, a1, a2, a3, a4, a5);
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** glibc is about to abort with {@code message}. */
    public static void abort(String message) {
        if (!enabled || libc == null || !ourThread()) {
            return;
        }
        try {
            TimelineWriter w = writer();
            if (w != null) {
                switchContext(w);
                w.abort(message);
                abortRecorded = true;
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** A kernel call made inside a recorded call. */
    public static void syscall(int fn, long a0, long a1, long a2, long a3, long a4, long a5, long ret) {
        if (depth == 0 || !SYSCALLS) {
            return;
        }
        try {
            TimelineWriter w = writer;
            if (w != null) {
                w.syscall(fn, a0, a1, a2, a3, a4, a5, ret);
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    // ================================================================ files and file mappings

    /** Whether the running Java thread is one of the recorded processes' threads. */
    private static boolean ourThread() {
        return Thread.currentThread() == processThread || threadLibc.containsKey(Thread.currentThread());
    }

    private static boolean ownsFiles(Object vfs) {
        if (process != null && vfs == process.files()) {
            return true;
        }
        for (LibC k : children) {
            if (k.process().files() == vfs) {
                return true;
            }
        }
        return false;
    }

    private static boolean ownsKernel(Object kernel) {
        if (process != null && kernel == process.kernel()) {
            return true;
        }
        for (LibC k : children) {
            if (k.process().kernel() == kernel) {
                return true;
            }
        }
        return false;
    }

    /** The recorded process's timeline writer, or null (another process's event, or not recording). */
    private static TimelineWriter fileWriter(boolean ours) {
        if (!enabled || libc == null || !ours) {
            return null;
        }
        return writer();
    }

    private static void file(TimelineWriter w, EventKind kind, long address, long n1, long n2, String text) {
        try {
            if (w != null) {
                switchContext(w);
                w.fileEvent(kind, address, n1, n2, text);
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** The recorded process opened {@code path}: descriptor {@code fd} (nothing is recorded for a failed open). */
    public static void fileOpened(Object vfs, String path, int flags, int fd) {
        if (fd >= 0) {
            file(fileWriter(ownsFiles(vfs)), EventKind.OPEN, 0, fd, flags, path);
        }
    }

    /** The recorded process is closing {@code fd}. */
    public static void fileClosing(Object vfs, int fd) {
        TimelineWriter w = fileWriter(ownsFiles(vfs));
        if (w != null) {
            String path = ((io.mallocscope.runtime.fs.Vfs) vfs).pathOf(fd);
            if (path != null) {
                file(w, EventKind.CLOSE, 0, fd, 0, path);
            }
        }
    }

    public static void fileMapped(Object kernel, long address, long length, long offset, boolean shared, String path) {
        file(fileWriter(ownsKernel(kernel)), EventKind.FILE_MAP, address, length,
                offset | (shared ? Long.MIN_VALUE : 0), path);
    }

    public static void pageMadePrivate(Object kernel, long address, long offset, String path) {
        file(fileWriter(ownsKernel(kernel)), EventKind.PAGE_PRIVATE, address, offset, 0, path);
    }

    public static void writtenBack(Object kernel, String path, long address, int pages, String cause) {
        int code = io.mallocscope.runtime.timeline.Event.WRITE_BACK_CAUSES.indexOf(cause);
        file(fileWriter(ownsKernel(kernel)), EventKind.WRITE_BACK, address, pages,
                code < 0 ? io.mallocscope.runtime.timeline.Event.WRITE_BACK_CAUSES.size() - 1 : code, path);
    }

    /** A BusError was constructed: the process is about to get SIGBUS. */
    public static void sigbus(long address, String reason) {
        file(fileWriter(ourThread()), EventKind.SIGBUS, address, 0, 0, reason);
    }

    /** A Segfault was constructed: the simulated process is about to get SIGSEGV. */
    public static void segv(long address, boolean write, int width, String reason) {
        if (!enabled || libc == null || !ourThread()) {
            return;
        }
        try {
            TimelineWriter w = writer();
            if (w != null) {
                switchContext(w);
                w.segv(address, write, width, reason);
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    // ================================================================ program writes

    /** putByte/putShort/putInt/putLong stored {@code width} bytes of {@code value}. */
    public static void put(Object c, long address, long value, int width) {
        if (writeDepth != 0 || depth != 0 || !WRITES || !ours(c)) {
            return;
        }
        try {
            TimelineWriter w = writer();
            if (w != null) {
                switchContext(w);
                w.writeValue(address, value, width, writeSiteNow(w));
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** A multi-byte write operation begins (nested ones, such as memcpy calling memmove, are not recorded). */
    public static void rangeEnter() {
        writeDepth++;
    }

    /** A multi-byte write operation ended; the outermost records what it stored. */
    public static void rangeExit(Object c, int op, long dest, long n, Throwable thrown) {
        writeDepth--;
        if (writeDepth != 0 || thrown != null || depth != 0 || !WRITES || !ours(c)) {
            return;
        }
        try {
            LibC k = (LibC) c;
            long len = op == W_STRING ? k.strlen(dest) + 1 : n;
            copyOut(k, dest, len);
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** memset stored {@code n} copies of {@code value}. */
    public static void fill(Object c, long dest, int value, long n, Throwable thrown) {
        writeDepth--;
        if (writeDepth != 0 || thrown != null || depth != 0 || !WRITES || n <= 0 || !ours(c)) {
            return;
        }
        try {
            TimelineWriter w = writer();
            if (w != null) {
                switchContext(w);
                w.fill(dest, value & 0xff, n, writeSiteNow(w));
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** writeBytes, or a new initialised global: {@code bytes} now lie at {@code dest}. */
    public static void bytes(Object c, long dest, byte[] bytes, Throwable thrown) {
        writeDepth--;
        if (writeDepth != 0 || thrown != null || depth != 0 || !WRITES || bytes == null || !ours(c)) {
            return;
        }
        try {
            TimelineWriter w = writer();
            if (w != null) {
                switchContext(w);
                w.write(dest, bytes, 0, bytes.length, writeSiteNow(w));
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** strdup(String) returned {@code p}: its string was copied there without going through a recorded write. */
    public static void strdup(Object c, long p, Throwable thrown) {
        writeDepth--;
        if (writeDepth != 0 || thrown != null || depth != 0 || !WRITES || p == 0 || !ours(c)) {
            return;
        }
        try {
            LibC k = (LibC) c;
            copyOut(k, p, k.strlen(p) + 1);
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** Whether {@code global(name, init)} will only look the name up (so writes nothing). */
    public static boolean globalKnown(Object c, String name) {
        writeDepth++;
        try {
            return ours(c) && ((LibC) c).globals().containsKey(name);
        } catch (Throwable t) {
            failed(t);
            return true;
        }
    }

    private static void copyOut(LibC c, long dest, long len) {
        TimelineWriter w = writer();
        if (w == null || len <= 0) {
            return;
        }
        switchContext(w);
        int site = writeSiteNow(w);
        long done = 0;
        while (done < len) {
            int k = (int) Math.min(1 << 20, len - done);
            byte[] b = c.readBytes(dest + done, k);
            w.write(dest + done, b, 0, k, site);
            done += k;
        }
    }

    // ================================================================ the file

    private static TimelineWriter writer() {
        TimelineWriter w = writer;
        if (w != null || openFailed || finished || process == null) {
            return w;
        }
        return open();
    }

    private static synchronized TimelineWriter open() {
        if (writer != null || openFailed || finished) {
            return writer;
        }
        ProcessOptions po = process.options();
        Path target = options.each != null
                ? Path.of(options.each, (recordingName != null ? recordingName
                        : defaultName(po.programName()).replace(".timeline", "-" + processesRecorded)) + ".timeline")
                : options.out != null ? Path.of(options.out) : Path.of(defaultName(po.programName()));
        Map<String, String> h = new LinkedHashMap<>();
        h.put(TimelineHeader.GLIBC, po.glibc());
        h.put(TimelineHeader.TUNABLES, po.tunables() == null ? "" : po.tunables());
        h.put(TimelineHeader.PROGRAM, po.programName());
        String[] a = argv != null ? argv : commandLine();
        h.put(TimelineHeader.ARGV, String.join("\0", a));
        h.put(TimelineHeader.HEAP_START, Hex.of(process.kernel().startBrk()));
        h.put(TimelineHeader.START_TIME, StartTime.now());
        h.put(TimelineHeader.DATA_LIMIT, Long.toString(po.dataLimit()));
        h.put(TimelineHeader.ADDRESS_SPACE_LIMIT, Long.toString(po.addressSpaceLimit()));
        h.put(TimelineHeader.STDOUT_TTY, Boolean.toString(po.stdoutIsTerminal()));
        h.put(TimelineHeader.ATTACHED, Boolean.toString(attached));
        h.put(TimelineHeader.RECORD, options.recordSpec(!attached));
        h.put(TimelineHeader.SITES, options.sites);
        h.putAll(TimelineHeader.processFields(po));
        try {
            writer = TimelineWriter.open(target, TimelineHeader.of(h), options.flushMillis, REPORT);
            file = target;
        } catch (IOException | RuntimeException e) {
            openFailed = true;
            report("mallocscope: cannot write the timeline " + target + " (" + describe(e)
                    + "); recording is off, the program runs on");
        }
        return writer;
    }

    private static String[] commandLine() {
        String cmd = System.getProperty("sun.java.command", mainName);
        return cmd.isBlank() ? new String[]{mainName} : cmd.trim().split("\\s+");
    }

    private static String defaultName(String program) {
        String name = program == null || program.isEmpty() || program.equals("a.out") ? mainName : program;
        name = name.replaceAll("[^A-Za-z0-9._-]", "_");
        String stamp = LocalDateTime.ofInstant(java.time.Instant.ofEpochMilli(startMillis), java.time.ZoneId.systemDefault())
                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return name + "-" + stamp + ".timeline";
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** each=DIR: completes the previous process's timeline and starts afresh for the next one. */
    private static synchronized void nextProcess() {
        TimelineWriter w = writer;
        if (w != null) {
            w.close();
            if (!options.quiet && !w.failed()) {
                report("mallocscope: timeline written to " + file + " (" + w.events() + " events, "
                        + w.bytesWritten() + " bytes)");
            }
        }
        writer = null;
        file = null;
        openFailed = false;
        libc = null;
        process = null;
        argv = null;
        depth = 0;
        writeDepth = 0;
        pendingSite = 0;
        writeSite = 0;
        writeSiteThread = 0;
        abortRecorded = false;
        definedSites.clear(); // a site is defined once per file
        children = new LibC[0];
        threadLibc.clear();
        lastThread = null;
        lastPid = FIRST_PID;
        lastThreadNumber = 0;
        processesRecorded++;
        String name = System.getProperty(AgentOptions.RECORDING_NAME);
        recordingName = name == null || name.isBlank() ? null : name.replaceAll("[^A-Za-z0-9._#-]", "_");
    }

    /** Completes the file (shutdown hook) and prints where it is. */
    static synchronized void finish() {
        if (finished) {
            return;
        }
        if (writer == null && options.out != null && process != null && !openFailed && !AgentState.refused()) {
            open(); // a process ran but made no call: still leave a (header-only) timeline
        }
        finished = true;
        enabled = false;
        TimelineWriter w = writer;
        if (w != null) {
            w.close();
            if (!options.quiet && !w.failed()) {
                report("mallocscope: timeline written to " + file + " (" + w.events() + " events, "
                        + w.bytesWritten() + " bytes)");
            }
        } else if (!AgentState.nothingToSay() && !openFailed && process == null) {
            report(AgentState.NOTHING_RECORDED);
        }
        AgentState.reportErrors(errors.get(), firstError);
    }

    // ================================================================ faults

    static void failed(Throwable t) {
        if (errors.getAndIncrement() == 0) {
            firstError = t.toString();
        }
    }

    static void report(String line) {
        AgentState.report(line);
    }

    /** {@link #report} for the writer (a class, not a method reference: nothing spun at start-up). */
    private static final java.util.function.Consumer<String> REPORT = new java.util.function.Consumer<>() {
        @Override
        public void accept(String line) {
            report(line);
        }
    };

    // ================================================================ StackWalker sites (sites=stack)

    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final java.util.List<String> stackSiteNames = new java.util.ArrayList<>(java.util.List.of(""));

    private static int stackSite() {
        String s = WALKER.walk(frames -> frames
                .filter(f -> !f.getClassName().startsWith("io.mallocscope.runtime.")
                        && !f.getClassName().equals(Recorder.class.getName()))
                .findFirst()
                .map(f -> f.getFileName() + ":" + f.getLineNumber())
                .orElse(""));
        return s.isEmpty() ? 0 : stackSiteId(s);
    }

    private static int stackSiteId(String s) {
        Integer id = stackSites.get(s);
        if (id == null) {
            id = stackSiteNames.size();
            stackSiteNames.add(s);
            stackSites.put(s, id);
        }
        return id;
    }

    private static String stackSiteName(int id) {
        return stackSiteNames.get(id);
    }

}
