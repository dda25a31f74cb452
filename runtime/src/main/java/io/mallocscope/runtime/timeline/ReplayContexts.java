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
 * A forked process is forked again; its body only waits, and its calls run on the caller's Java
 * thread against its own LibC (its memory, kernel and allocator are its own). Threads of a forked
 * process are not replayed.
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

    private final CProcess root;
    private final LibC main;
    private long mainPd;
    private final Map<Integer, LibC> processes = new HashMap<>();
    /** Threads of the program, by number (1, 2 … in creation order). */
    private final List<Worker> threads = new ArrayList<>();
    private boolean disposing;
    /** The stand-in page caches of the files the recording mapped, by path. */
    private final Map<String, PageCache> recordedFiles = new HashMap<>();
    private int pid = FIRST_PID;
    private int thread;
    private long scratch;

    ReplayContexts(CProcess root) {
        this.root = root;
        this.main = root.libc();
        processes.put(root.pid(), main);
    }

    /** A context record: the events that follow are of process {@code pid}, thread {@code thread}. */
    void switchTo(int pid, int thread) {
        this.pid = pid;
        this.thread = thread;
    }

    /** The memory the current context's writes go to, or null for a process that is not replayed. */
    AddressSpace memory() {
        LibC c = processes.get(pid);
        return c == null ? null : c.process().memory();
    }

    /**
     * Runs one recorded call in the current context; returns its result.
     *
     * @throws IllegalStateException when the context cannot be replayed (an unknown process or thread,
     *                               a thread of a forked process, a join of a thread still running)
     */
    long call(int fn, long[] a) {
        LibC c = processes.get(pid);
        if (c == null) {
            throw new IllegalStateException("process " + pid + " was not forked in the replay");
        }
        if (thread != 0 && pid != root.pid()) {
            throw new IllegalStateException("threads of a forked process (pid " + pid + ") are not replayed");
        }
        return switch (fn) {
            case Functions.PTHREAD_CREATE -> inContext(lc -> create(lc, a[0], a[1], a[2]));
            case Functions.PTHREAD_EXIT -> {
                exit(a[0]);
                yield 0;
            }
            case Functions.PTHREAD_JOIN -> {
                Worker w = byPd(a[0]);
                if (w != null && !w.ended) {
                    throw new IllegalStateException("pthread_join of thread " + (threads.indexOf(w) + 1)
                            + ", which has not ended in the recording");
                }
                yield inContext(lc -> lc.pthread_join(a[0], a[1]));
            }
            case Functions.FORK -> fork(c);
            case Functions.WAITPID -> {
                // the child ended in the recording (its calls are all replayed): what waitpid stored is recorded
                if (a[1] != 0) {
                    c.process().memory().write32(a[1], (int) a[3]);
                }
                yield 0;
            }
            default -> inContext(lc -> Functions.call(lc, fn, a));
        };
    }

    /**
     * Maps the file a recorded {@code mmap} mapped ({@code mapped}, its file_map event) at
     * {@code address} in the current process: over one stand-in page cache per path, shared by every
     * process of the replay (so a {@code MAP_SHARED} mapping is the same pages in a parent and its
     * children, and a store through it dirties them), private copy-on-write otherwise. The file's bytes
     * are not in the timeline: the stand-in's pages read as zeros until a recorded write fills them. Its
     * size reaches the end of every mapping of it; its device and inode are not recorded ({@code 00:00},
     * 0 in {@code maps}).
     */
    void mapRecordedFile(long address, long length, int prot, Event mapped) {
        AddressSpace memory = memory();
        if (memory == null) {
            throw new IllegalStateException("process " + pid + " was not forked in the replay");
        }
        long len = (length + AddressSpace.PAGE_SIZE - 1) & -AddressSpace.PAGE_SIZE;
        long end = mapped.fileOffset() + len;
        PageCache file = recordedFiles.computeIfAbsent(mapped.path(), k -> new PageCache("00:00", 0, end, null));
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

    /** Runs {@code body} in the current thread: on this Java thread for main and for forked processes. */
    private long inContext(ToLongFunction<LibC> body) {
        LibC c = processes.get(pid);
        if (thread == 0) {
            return body.applyAsLong(c);
        }
        Worker w = worker(thread);
        w.command = body;
        w.failure = null;
        main.sched_switch_to(w.pd);
        if (w.command != null) {
            throw new IllegalStateException("thread " + thread + " did not run its call");
        }
        if (w.failure != null) {
            throw w.failure;
        }
        return w.result;
    }

    private Worker worker(int number) {
        if (number < 1 || number > threads.size()) {
            throw new IllegalStateException("thread " + number + " was not created in the replay");
        }
        Worker w = threads.get(number - 1);
        if (w.ended) {
            throw new IllegalStateException("thread " + number + " has ended");
        }
        return w;
    }

    private Worker byPd(long pd) {
        for (Worker w : threads) {
            if (w.pd == pd) {
                return w;
            }
        }
        return null;
    }

    private long create(LibC c, long threadOut, long stacksize, long guardsize) {
        if (mainPd == 0) {
            mainPd = main.pthread_self();
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
        int e = c.pthread_create(out, attr, (tc, arg) -> serve(tc, w), 0);
        if (e == 0) {
            w.pd = c.process().memory().read64(out);
            threads.add(w);
        }
        return e;
    }

    /** A replayed thread's start routine: runs what it is handed, then gives the CPU back to main. */
    private long serve(LibC tc, Worker w) {
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
            tc.sched_switch_to(mainPd);
        }
    }

    /** The current thread returns {@code value} from its start routine: glibc's thread exit runs in it. */
    private void exit(long value) {
        if (thread == 0) {
            throw new IllegalStateException("the main thread cannot end while the recording goes on");
        }
        Worker w = worker(thread);
        w.exit = true;
        w.exitValue = value;
        main.sched_switch_to(w.pd);
        // the baton comes back here once the thread has ended (idle threads hand it on to main)
        if (!w.ended) {
            throw new IllegalStateException("thread " + thread + " did not end");
        }
    }

    private long fork(LibC parent) {
        if (thread != 0) {
            throw new IllegalStateException("fork in a thread is not replayed");
        }
        LibC[] child = new LibC[1];
        int childPid = parent.fork(cc -> {
            child[0] = cc;
            while (!disposing) {
                cc.sched_yield();
            }
            return 0;
        });
        // the child runs when main lets it: until its body has started, main yields
        for (int i = 0; i < 10_000 && child[0] == null; i++) {
            main.sched_yield();
        }
        if (child[0] == null) {
            throw new IllegalStateException("the forked process " + childPid + " did not start");
        }
        processes.put(childPid, child[0]);
        return childPid;
    }

    /** Ends the replay's threads and processes (the replay is being thrown away). */
    void dispose() {
        disposing = true;
        try {
            for (Worker w : threads) {
                if (!w.ended) {
                    main.sched_switch_to(w.pd);
                }
            }
            for (int i = 0; i < 10_000 && processes.values().stream().anyMatch(c -> c != main
                    && c.process().endStatus() == null); i++) {
                main.sched_yield();
            }
        } catch (RuntimeException e) {
            // a replay that went wrong is dropped all the same
        }
    }
}
