package io.mallocscope.runtime;

import io.mallocscope.runtime.malloc.Malloc;
import io.mallocscope.runtime.sched.CondVar;
import io.mallocscope.runtime.sched.Mutex;
import io.mallocscope.runtime.sched.Scheduler;
import io.mallocscope.runtime.sched.Semaphore;
import io.mallocscope.runtime.sched.Task;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Kernel;
import io.mallocscope.runtime.vm.Layout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The threads of one process, as glibc's nptl makes them: each thread's stack is an mmapped block
 * with a guard page at its bottom and the thread descriptor ({@code struct pthread}, whose address is
 * the {@code pthread_t} and the thread pointer) at its top, below which lies the static TLS holding the
 * thread's {@code tcache} and {@code thread_arena}; its DTV is calloc'ed by the creating thread
 * (allocate_stack, _dl_allocate_tls). Joined threads' stacks go to a 40 MiB cache, most recent
 * first, which the next pthread_create of that size reuses (no new DTV); when the cache overflows the
 * oldest stacks are unmapped and their DTVs freed by the joining thread.
 *
 * <p>One thread runs at a time ({@link Scheduler}); on every switch the allocator's thread pointer,
 * the C library's stack pointer and errno follow the running thread.
 */
final class PThreads {
    static final long STACK_CACHE_MAXSIZE = 40L << 20;
    /**
     * TLS_TCB_SIZE, sizeof (struct pthread) on x86_64: the descriptor sits this far below the stack
     * block's top. 0x940 from 2.35 (the rseq area joined the descriptor), as real 2.36, 2.41 and 2.43
     * show (the RW stack mapping ends 0x940 above pthread_self()); 0x900 before.
     */
    static long tlsTcbSize(String glibcVersion) {
        int minor = Integer.parseInt(glibcVersion.substring(glibcVersion.indexOf('.') + 1));
        return minor >= 35 ? 0x940 : 0x900;
    }
    static final long TLS_STATIC_ALIGN = 64;
    /** The static TLS below the descriptor (libc's block and the surplus); frames start under it. */
    static final long TLS_STATIC_SIZE = 0x1000;
    /** calloc(dl_tls_max_dtv_idx (1: libc) + DTV_SURPLUS (14) + 2, sizeof (dtv_t)): a 0x120 chunk. */
    static final long DTV_LENGTH = 1 + 14;
    static final int ESRCH = 3;
    static final int EAGAIN = 11;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    static final int EDEADLK = 35;
    static final int EPERM = 1;

    /** pthread_attr_t as glibc lays it out: guardsize at +0x10, stacksize at +0x20. */
    static final int ATTR_GUARDSIZE = 0x10;
    static final int ATTR_STACKSIZE = 0x20;
    static final int ATTR_SIZE = 0x38;

    /** One thread: its descriptor, stack block and what it returned. */
    static final class PThread {
        final int id;
        Task task;
        long pd;
        long block;
        long blockSize;
        long dtvBlock;
        long sp;
        long stackLowest;
        int errno;
        boolean detached;
        boolean exited;
        /** Has had the CPU once (malloc counts it among the live threads from then). */
        boolean started;
        long result;

        PThread(int id) {
            this.id = id;
        }
    }

    /** A cached stack: its block, descriptor and DTV, ready for the next thread. */
    private record CachedStack(long block, long size, long pd, long dtvBlock) {
    }

    /** Unwinds a thread's Java frames for pthread_exit. */
    static final class ThreadExit extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long value;

        ThreadExit(long value) {
            super("pthread_exit", null, false, false);
            this.value = value;
        }
    }

    private final LibC libc;
    private final Malloc malloc;
    private final Kernel kernel;
    private final AddressSpace mem;
    private final Scheduler sched;
    /** {@link #tlsTcbSize(String)} of the process's release. */
    private final long tlsTcbSize;
    private final Map<Long, PThread> byPd = new HashMap<>();
    private final List<PThread> all = new ArrayList<>();
    private final ArrayDeque<CachedStack> stackCache = new ArrayDeque<>();
    private long stackCacheActsize;
    private final Map<Long, Mutex> mutexes = new HashMap<>();
    private final Map<Long, CondVar> condvars = new HashMap<>();
    private final Map<Long, Semaphore> semaphores = new HashMap<>();
    private final PThread main;
    private PThread current;

    /** The threads of the process running now, on its group's scheduler (shared with forked processes). */
    PThreads(LibC libc, Malloc malloc, Kernel kernel, Scheduler sched) {
        this.libc = libc;
        this.malloc = malloc;
        this.kernel = kernel;
        this.mem = kernel.addressSpace();
        this.sched = sched;
        this.tlsTcbSize = tlsTcbSize(malloc.profile().version());
        main = new PThread(0);
        main.pd = malloc.threadPointer();
        main.task = sched.current();
        main.sp = libc.stackPointer;
        main.task.onSwitch(() -> suspend(main), () -> resume(main));
        main.stackLowest = Layout.STACK_END - Layout.STACK_LIMIT;
        main.started = true; // malloc counts the main thread from its start
        current = main;
        byPd.put(main.pd, main);
        all.add(main);
    }

    Scheduler scheduler() {
        return sched;
    }

    long self() {
        return current.pd;
    }

    int currentId() {
        return current.id;
    }

    /** Each thread's descriptor by number, 0 for the ended ones. */
    long[] pointers() {
        long[] p = new long[all.size()];
        for (PThread t : all) {
            p[t.id] = t.exited ? 0 : t.pd;
        }
        return p;
    }

    // ---------------------------------------------------------------- switching

    private void suspend(PThread t) {
        t.sp = libc.stackPointer;
        t.errno = kernel.errno();
    }

    private void resume(PThread t) {
        current = t;
        if (!t.started) {
            t.started = true;
            malloc.threadStarted(t.pd);
        }
        malloc.switchThread(t.pd);
        libc.stackPointer = t.sp;
        libc.stackLowest = t.stackLowest;
        kernel.setErrno(t.errno);
    }

    /**
     * Runs a scheduler call that may hand the CPU to other threads; the tasks' switch hooks save the
     * caller's context and bring it back.
     */
    void blocking(Runnable schedulerCall) {
        schedulerCall.run();
    }

    // ---------------------------------------------------------------- create / exit / join

    int create(long threadOut, long attr, ThreadBody body, long arg) {
        long stacksize = Layout.STACK_LIMIT; // the default attribute: RLIMIT_STACK, 8 MiB
        long guardsize = AddressSpace.PAGE_SIZE;
        if (attr != 0) {
            long s = mem.read64(attr + ATTR_STACKSIZE);
            if (s != 0) {
                stacksize = s;
            }
            guardsize = mem.read64(attr + ATTR_GUARDSIZE);
        }
        long size = stacksize & ~(TLS_STATIC_ALIGN - 1);
        guardsize = (guardsize + AddressSpace.PAGE_SIZE - 1) & -AddressSpace.PAGE_SIZE;
        size += guardsize;
        PThread t = new PThread(all.size());
        CachedStack cached = getCachedStack(size);
        if (cached != null) {
            t.block = cached.block();
            t.blockSize = cached.size();
            t.pd = cached.pd();
            t.dtvBlock = cached.dtvBlock();
        } else {
            int prot = guardsize == 0 ? AddressSpace.PROT_READ | AddressSpace.PROT_WRITE : AddressSpace.PROT_NONE;
            long block = kernel.mmap(0, size, prot, Kernel.MAP_PRIVATE | Kernel.MAP_ANONYMOUS, -1, 0);
            if (block == Kernel.MAP_FAILED) {
                return EAGAIN;
            }
            long pd = (block + size - tlsTcbSize) & -TLS_STATIC_ALIGN;
            if (guardsize > 0) {
                kernel.mprotect(block + guardsize, size - guardsize, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE);
            }
            // _dl_allocate_tls: the DTV comes from the creating thread's malloc
            long dtv = malloc.calloc(DTV_LENGTH + 2, 16);
            if (dtv == 0) {
                kernel.munmap(block, size);
                return EAGAIN;
            }
            mem.write64(dtv, DTV_LENGTH); // dtv[-1].counter
            t.block = block;
            t.blockSize = size;
            t.pd = pd;
            t.dtvBlock = dtv;
        }
        // the descriptor (tcb, dtv, self) and a fresh static TLS: tcache, tcache_shutting_down, thread_arena are 0
        mem.write64(t.pd, t.pd);
        mem.write64(t.pd + 8, t.dtvBlock + 16);
        mem.write64(t.pd + 16, t.pd);
        mem.fill(t.pd - TLS_STATIC_SIZE, 0, TLS_STATIC_SIZE);
        t.sp = (t.pd - TLS_STATIC_SIZE) & ~15L;
        t.stackLowest = t.block + guardsize;
        malloc.setMultipleThreads();
        all.add(t);
        byPd.put(t.pd, t);
        t.task = sched.spawn("thread " + t.id, () -> runThread(t, body, arg));
        t.task.onSwitch(() -> suspend(t), () -> resume(t));
        if (threadOut != 0) {
            mem.write64(threadOut, t.pd);
        }
        return 0;
    }

    private void runThread(PThread t, ThreadBody body, long arg) {
        long ret;
        try {
            ret = body.run(libc, arg);
        } catch (ThreadExit e) {
            ret = e.value;
        }
        // start_thread after the start routine: __libc_thread_freeres (tcache_thread_shutdown, arena)
        libc.libcThreadFreeres(ret);
        t.exited = true;
        t.result = ret;
        if (t.detached) {
            freeTcb(t);
        }
    }

    void exit(long value) {
        if (current == main) {
            // the main thread leaves; the process lives until every other thread has ended
            blocking(() -> {
                for (PThread t : all) {
                    if (t != main) {
                        sched.join(t.task);
                    }
                }
            });
            throw new ProgramExit(0);
        }
        throw new ThreadExit(value);
    }

    int join(long th, long retval) {
        PThread t = byPd.get(th);
        if (t == null || t == main) {
            return ESRCH;
        }
        if (t == current) {
            return EDEADLK;
        }
        if (t.detached) {
            return EINVAL;
        }
        blocking(() -> sched.join(t.task));
        if (retval != 0) {
            mem.write64(retval, t.result);
        }
        freeTcb(t);
        return 0;
    }

    int detach(long th) {
        PThread t = byPd.get(th);
        if (t == null) {
            return ESRCH;
        }
        if (t.detached) {
            return EINVAL;
        }
        t.detached = true;
        if (t.exited) {
            freeTcb(t);
        }
        return 0;
    }

    /** __nptl_free_tcb → __nptl_deallocate_stack → queue_stack. */
    private void freeTcb(PThread t) {
        byPd.remove(t.pd);
        stackCache.addFirst(new CachedStack(t.block, t.blockSize, t.pd, t.dtvBlock));
        stackCacheActsize += t.blockSize;
        if (Long.compareUnsigned(stackCacheActsize, STACK_CACHE_MAXSIZE) > 0) {
            freeStacks(STACK_CACHE_MAXSIZE);
        }
    }

    /** __nptl_free_stacks: release the oldest cached stacks (DTV freed, block unmapped) down to the limit. */
    private void freeStacks(long limit) {
        Iterator<CachedStack> oldestFirst = stackCache.descendingIterator();
        while (oldestFirst.hasNext()) {
            CachedStack s = oldestFirst.next();
            oldestFirst.remove();
            stackCacheActsize -= s.size();
            malloc.free(s.dtvBlock()); // _dl_deallocate_tls
            kernel.munmap(s.block(), s.size());
            if (Long.compareUnsigned(stackCacheActsize, limit) <= 0) {
                break;
            }
        }
    }

    /** get_cached_stack: an exact size first (most recent first), else the smallest big enough (≤ 4×). */
    private CachedStack getCachedStack(long size) {
        CachedStack result = null;
        for (CachedStack s : stackCache) {
            if (Long.compareUnsigned(s.size(), size) >= 0) {
                if (s.size() == size) {
                    result = s;
                    break;
                }
                if (result == null || Long.compareUnsigned(result.size(), s.size()) > 0) {
                    result = s;
                }
            }
        }
        if (result == null || Long.compareUnsigned(result.size(), 4 * size) > 0) {
            return null;
        }
        stackCache.remove(result);
        stackCacheActsize -= result.size();
        return result;
    }

    // ---------------------------------------------------------------- scheduling points

    void yieldThread() {
        blocking(sched::yieldTask);
    }

    /** Hands the CPU to {@code th} now (a trace's {@code T K}); false when no such runnable thread exists. */
    boolean switchTo(long th) {
        PThread t = byPd.get(th);
        if (t == null || t.exited) {
            return false;
        }
        if (t != current) {
            blocking(() -> sched.switchTo(t.task));
        }
        return true;
    }

    int mutexLock(long m) {
        Mutex mu = mutexes.computeIfAbsent(m, k -> new Mutex(sched));
        if (mu.owner() == sched.current()) {
            return EDEADLK;
        }
        blocking(mu::lock);
        return 0;
    }

    int mutexTrylock(long m) {
        return mutexes.computeIfAbsent(m, k -> new Mutex(sched)).tryLock() ? 0 : EBUSY;
    }

    int mutexUnlock(long m) {
        Mutex mu = mutexes.get(m);
        return mu != null && mu.unlock() ? 0 : EPERM;
    }

    int condWait(long cond, long m) {
        Mutex mu = mutexes.get(m);
        if (mu == null || mu.owner() != sched.current()) {
            return EPERM;
        }
        CondVar cv = condvars.computeIfAbsent(cond, k -> new CondVar(sched));
        blocking(() -> cv.await(mu));
        return 0;
    }

    int condSignal(long cond) {
        CondVar cv = condvars.get(cond);
        if (cv != null) {
            cv.signal();
        }
        return 0;
    }

    int condBroadcast(long cond) {
        CondVar cv = condvars.get(cond);
        if (cv != null) {
            cv.broadcast();
        }
        return 0;
    }

    int semInit(long sem, long value) {
        semaphores.put(sem, new Semaphore(sched, value));
        return 0;
    }

    int semWait(long sem) {
        Semaphore s = semaphores.get(sem);
        if (s == null) {
            return EINVAL;
        }
        blocking(s::await);
        return 0;
    }

    int semPost(long sem) {
        Semaphore s = semaphores.get(sem);
        if (s == null) {
            return EINVAL;
        }
        s.post();
        return 0;
    }

    /** The semaphores' values by address: what a forked child's copy of their memory holds. */
    Map<Long, Long> semaphoreValues() {
        Map<Long, Long> values = new HashMap<>();
        semaphores.forEach((address, sem) -> values.put(address, sem.value()));
        return values;
    }

    /** A forked child's semaphores: the parent's values (no waiter came along: only the forking thread did). */
    void inheritSemaphores(Map<Long, Long> values) {
        values.forEach((address, value) -> semaphores.put(address, new Semaphore(sched, value)));
    }

    /** The process ended (main returned, exit, a signal): every other thread of it is stopped. */
    void shutdown() {
        for (PThread t : all) {
            if (t != main) {
                sched.kill(t.task);
            }
        }
        main.task.onSwitch(null, null);
        resume(main);
    }
}
