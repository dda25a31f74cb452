package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.signal.SimulatedSignal;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.PageCache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The threads and processes of a {@link Reconstructor}'s replay: where each recorded call runs.
 *
 * <p>The caller's Java thread is the program's main thread (pid 2, thread 0). A thread the recording
 * created is created again by a replayed {@code pthread_create}, with a start routine that runs the
 * calls it is handed, one at a time, and hands the CPU back to the main thread
 * ({@link LibC#sched_switch_to}); a recorded {@code pthread_exit(value)} makes it return
 * {@code value}, so glibc's exit path (tcache_thread_shutdown, the arena to the free list) runs in
 * it, and a later {@code pthread_join} finds it ended and caches its stack as the recording's did.
 * A forked process is forked again; its body serves the calls it is handed on its own task (so that
 * the threads it creates are its own: a thread's scheduler hooks belong to the task that made the
 * process's first thread call), each against its own LibC (its memory, kernel and allocator are its
 * own), and between calls it yields. The caller hands it a call and yields until it has run it. Its
 * threads are made, run and ended as the program's are, through it.
 *
 * <p>Nothing here blocks: the recording's order of calls is the replay's, whatever blocked between
 * them when it was recorded.
 */
final class ReplayContexts {
    /** The program's pid in the simulator's PID namespace (events before a context record are its main thread's). */
    static final int FIRST_PID = 2;

    /** One replayed thread: its pthread_t and what it is asked to run next. */
    private static final class Worker {
        long pd;
        ToLongFunction<LibC> command;
        long result;
        RuntimeException failure;
        boolean exit;
        long exitValue;
        boolean ended;
    }

    /** One replayed process: its LibC, its main thread's pthread_t, its threads, and (a child) its next call. */
    private static final class Proc {
        LibC libc;
        long mainPd;
        /** Threads by number (1, 2 … in creation order, per process as the recording numbers them). */
        final List<Worker> threads = new ArrayList<>();
        ToLongFunction<LibC> command;
        long result;
        RuntimeException failure;
    }

    /** How many times the caller yields, at most, for a forked process to take its call. */
    private static final int SPINS = 100_000;

    private final CProcess root;
    private final LibC main;
    private final Map<Integer, Proc> processes = new HashMap<>();
    private final Proc rootProc = new Proc();
    private boolean disposing;
    /** The stand-in page caches of the files the recording mapped, by path. */
    private final Map<String, PageCache> recordedFiles = new HashMap<>();
    private int pid = FIRST_PID;
    private int thread;
    private long scratch;

    ReplayContexts(CProcess root) {
        this.root = root;
        this.main = root.libc();
        rootProc.libc = main;
        processes.put(root.pid(), rootProc);
    }

    /** A context record: the events that follow are of process {@code pid}, thread {@code thread}. */
    void switchTo(int pid, int thread) {
        this.pid = pid;
        this.thread = thread;
    }

    /** The memory the current context's writes go to, or null for a process that is not replayed. */
    AddressSpace memory() {
        Proc p = processes.get(pid);
        return p == null ? null : p.libc.process().memory();
    }

    /**
     * Runs one recorded call in the current context; returns its result.
     *
     * @throws IllegalStateException when the context cannot be replayed (an unknown process or thread,
     *                               a join of a thread still running)
     */
    long call(int fn, long[] a) {
        Proc p = processes.get(pid);
        if (p == null) {
            throw new IllegalStateException("process " + pid + " was not forked in the replay");
        }
        return switch (fn) {
            case Functions.PTHREAD_CREATE -> inContext(p, lc -> create(lc, p, a[0], a[1], a[2]));
            case Functions.PTHREAD_EXIT -> {
                exit(p, a[0]);
                yield 0;
            }
            case Functions.PTHREAD_JOIN -> {
                Worker w = byPd(p, a[0]);
                if (w != null && !w.ended) {
                    throw new IllegalStateException("pthread_join of thread " + (p.threads.indexOf(w) + 1)
                            + ", which has not ended in the recording");
                }
                yield inContext(p, lc -> lc.pthread_join(a[0], a[1]));
            }
            case Functions.FORK -> fork(p);
            case Functions.WAITPID -> {
                // the child ended in the recording (its calls are all replayed): what waitpid stored is recorded
                if (a[1] != 0) {
                    p.libc.process().memory().write32(a[1], (int) a[3]);
                }
                yield 0;
            }
            default -> inContext(p, lc -> Functions.call(lc, fn, a));
        };
    }

    /**
     * Maps the file a recorded {@code mmap} mapped ({@code mapped}, its file_map event) at
     * {@code address} in the current process: over one stand-in page cache per path, shared by every
     * process of the replay (so a {@code MAP_SHARED} mapping is the same pages in a parent and its
     * children, and a store through it dirties them), private copy-on-write otherwise. The file's bytes
     * are not in the timeline: the stand-in's pages read as zeros until a recorded write fills them, and
     * it lives while some process maps the path (a later mapping after every process unmapped it starts
     * from zeros again). Its size reaches the end of every mapping of it; its device and inode are not
     * recorded ({@code 00:00}, 0 in {@code maps}).
     */
    void mapRecordedFile(long address, long length, int prot, Event mapped) {
        AddressSpace memory = memory();
        if (memory == null) {
            throw new IllegalStateException("process " + pid + " was not forked in the replay");
        }
        long len = (length + AddressSpace.PAGE_SIZE - 1) & -AddressSpace.PAGE_SIZE;
        long end = mapped.fileOffset() + len;
        PageCache file = recordedFiles.get(mapped.path());
        if (file == null || file.mapperCount() == 0) {
            // a stand-in lives while a process maps it: a rebuild restored from a checkpoint taken while
            // nothing mapped the path (a process with a page cache is never checkpointed) starts it afresh too
            file = new PageCache("00:00", 0, end, null);
            recordedFiles.put(mapped.path(), file);
        }
        if (file.size() < end) {
            try {
                file.truncate(end);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e); // a stand-in has no host file
            }
        }
        memory.mapFile(address, address + len, prot & (AddressSpace.PROT_READ | AddressSpace.PROT_WRITE
                | AddressSpace.PROT_EXEC), mapped.path(), mapped.fileOffset(), mapped.isSharedMap(), file);
    }

    /** The page at {@code address} of a private file mapping was copied at its first store. */
    void pageMadePrivate(long address) {
        AddressSpace memory = memory();
        if (memory != null && !memory.isPrivateCopy(address)) {
            memory.write8(address, memory.read8(address)); // the store copies it, as the recorded one did
        }
    }

    /**
     * {@code pages} dirty pages of the file mapped at {@code firstAddress} were written back (msync,
     * fsync or exit): the lowest {@code pages} dirty pages of its page cache from that one on, the pages
     * a write-back of a range starting there took, are clean again.
     */
    void writtenBack(long firstAddress, long pages) {
        AddressSpace memory = memory();
        io.mallocscope.runtime.vm.Region r = memory == null ? null : memory.regionAt(firstAddress);
        if (r == null || !(r.file() instanceof PageCache cache) || pages <= 0) {
            return;
        }
        long from = r.filePage(firstAddress);
        List<Long> dirty = cache.dirtyPages(from, Long.MAX_VALUE);
        if (dirty.isEmpty()) {
            return;
        }
        long to = dirty.get((int) Math.min(pages, dirty.size()) - 1) + 1;
        try {
            cache.writeBack(from, to);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // a stand-in has no host file
        }
    }

    /**
     * Runs {@code body} in the current thread of {@code p}: the program's main thread on this Java
     * thread, a forked process's main thread on its own task, a thread on its own.
     */
    private long inContext(Proc p, ToLongFunction<LibC> body) {
        if (thread == 0) {
            return p == rootProc ? body.applyAsLong(main) : onProcess(p, body);
        }
        Worker w = worker(p, thread);
        if (p == rootProc) {
            return inThread(main, w, body);
        }
        return onProcess(p, lc -> inThread(lc, w, body));
    }

    /** From {@code lc}'s main thread, hands {@code body} to the thread {@code w} and takes the CPU back. */
    private static long inThread(LibC lc, Worker w, ToLongFunction<LibC> body) {
        w.command = body;
        w.failure = null;
        lc.sched_switch_to(w.pd);
        if (w.command != null) {
            throw new IllegalStateException("a thread did not run its call");
        }
        if (w.failure != null) {
            throw w.failure;
        }
        return w.result;
    }

    /** Hands {@code body} to forked process {@code p}'s main thread and yields until it has run it. */
    private long onProcess(Proc p, ToLongFunction<LibC> body) {
        p.command = body;
        p.failure = null;
        for (int i = 0; i < SPINS && p.command != null; i++) {
            main.sched_yield();
        }
        if (p.command != null) {
            p.command = null;
            throw new IllegalStateException("process " + p.libc.getpid() + " did not run its call");
        }
        if (p.failure != null) {
            throw p.failure;
        }
        return p.result;
    }

    /** A forked process's body in the replay: runs the calls it is handed on its own task, yielding between. */
    private long serveProcess(LibC cc, Proc p) {
        p.mainPd = cc.pthread_self();
        while (!disposing) {
            ToLongFunction<LibC> cmd = p.command;
            if (cmd != null) {
                try {
                    p.result = cmd.applyAsLong(cc);
                } catch (SimulatedSignal s) {
                    p.result = 0; // the recorded call ended the same way
                } catch (RuntimeException e) {
                    p.failure = e;
                }
                p.command = null;
            }
            cc.sched_yield();
        }
        return 0;
    }

    private Worker worker(Proc p, int number) {
        if (number < 1 || number > p.threads.size()) {
            throw new IllegalStateException("thread " + number + " was not created in the replay");
        }
        Worker w = p.threads.get(number - 1);
        if (w.ended) {
            throw new IllegalStateException("thread " + number + " has ended");
        }
        return w;
    }

    private static Worker byPd(Proc p, long pd) {
        for (Worker w : p.threads) {
            if (w.pd == pd) {
                return w;
            }
        }
        return null;
    }

    private long create(LibC c, Proc p, long threadOut, long stacksize, long guardsize) {
        if (p.mainPd == 0) {
            p.mainPd = c.pthread_self();
        }
        long attr = 0;
        if (stacksize != 0 || guardsize != AddressSpace.PAGE_SIZE) {
            // a stack attribute in the creating thread's frame, as the program's was
            attr = c.local(0x38);
            c.pthread_attr_init(attr);
            if (stacksize != 0) {
                c.pthread_attr_setstacksize(attr, stacksize);
            }
            c.process().memory().write64(attr + 0x10, guardsize);
        }
        long out = threadOut;
        if (out == 0) {
            if (scratch == 0) {
                scratch = c.local(8);
            }
            out = scratch;
        }
        Worker w = new Worker();
        int e = c.pthread_create(out, attr, (tc, arg) -> serve(tc, w, p), 0);
        if (e == 0) {
            w.pd = c.process().memory().read64(out);
            p.threads.add(w);
        }
        return e;
    }

    /** A replayed thread's start routine: runs what it is handed, then gives the CPU back to its process's main thread. */
    private long serve(LibC tc, Worker w, Proc p) {
        while (true) {
            if (w.exit || disposing) {
                w.ended = true;
                return w.exitValue;
            }
            ToLongFunction<LibC> cmd = w.command;
            if (cmd != null) {
                try {
                    w.result = cmd.applyAsLong(tc);
                } catch (SimulatedSignal s) {
                    w.result = 0; // the recorded call ended the same way
                } catch (RuntimeException e) {
                    w.failure = e;
                }
                w.command = null;
            }
            tc.sched_switch_to(p.mainPd);
        }
    }

    /** The current thread of {@code p} returns {@code value} from its start routine: glibc's thread exit runs in it. */
    private void exit(Proc p, long value) {
        if (thread == 0) {
            throw new IllegalStateException("the main thread cannot end while the recording goes on");
        }
        Worker w = worker(p, thread);
        w.exit = true;
        w.exitValue = value;
        if (p == rootProc) {
            main.sched_switch_to(w.pd);
        } else {
            onProcess(p, lc -> {
                lc.sched_switch_to(w.pd);
                return 0;
            });
        }
        // the baton comes back here once the thread has ended (idle threads hand it on to their main thread)
        if (!w.ended) {
            throw new IllegalStateException("thread " + thread + " did not end");
        }
    }

    /**
     * Forks the current thread of {@code parent}, as the recording did: from its main thread, or from a
     * thread (on that thread's task, so the child's only thread is the caller going on, its
     * {@code pthread_self()} and arenas as Linux and glibc's fork handler leave them; the child's events
     * are its thread 0's).
     */
    private long fork(Proc parent) {
        Proc child = new Proc();
        ToLongFunction<LibC> forkIt = lc -> lc.fork(cc -> {
            child.libc = cc;
            serveProcess(cc, child);
            return 0;
        });
        int childPid = (int) inContext(parent, forkIt);
        // the child runs when the scheduler gets to it: until its body has started, main yields
        for (int i = 0; i < SPINS && child.libc == null; i++) {
            main.sched_yield();
        }
        if (child.libc == null) {
            throw new IllegalStateException("the forked process " + childPid + " did not start");
        }
        processes.put(childPid, child);
        return childPid;
    }

    /** Ends the replay's threads and processes (the replay is being thrown away). */
    void dispose() {
        disposing = true;
        try {
            for (Worker w : rootProc.threads) {
                if (!w.ended) {
                    main.sched_switch_to(w.pd);
                }
            }
            // forked processes and their threads see disposing when the yields reach them, and end
            for (int i = 0; i < SPINS && processes.values().stream().anyMatch(q -> q != rootProc
                    && (q.libc.process().endStatus() == null || q.threads.stream().anyMatch(w -> !w.ended))); i++) {
                main.sched_yield();
            }
        } catch (RuntimeException e) {
            // a replay that went wrong is dropped all the same
        }
    }
}
