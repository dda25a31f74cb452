package io.mallocscope.agent;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The advice templates, inlined into the runtime's methods. Each is a static one-liner handing its
 * values to {@link Recorder}; {@link Id} is bound per method to a constant (the function, transition
 * or write-operation number), so no advice looks anything up at run time. {@code suppress} is only a
 * last resort: the hooks catch and count their own failures.
 */
final class Advices {
    private Advices() {
    }

    /** A constant bound per instrumented method (see {@link Instrumenter}). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface Id {
    }

    /** LibC's malloc family and system calls: call/return at depth 0. */
    static final class Call {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static boolean enter(@Id int fn, @Advice.This Object c,
                             @Advice.Argument(value = 0, optional = true) long a0,
                             @Advice.Argument(value = 1, optional = true) long a1,
                             @Advice.Argument(value = 2, optional = true) long a2,
                             @Advice.Argument(value = 3, optional = true) long a3,
                             @Advice.Argument(value = 4, optional = true) long a4,
                             @Advice.Argument(value = 5, optional = true) long a5) {
            return Recorder.callEnter(c, fn, a0, a1, a2, a3, a4, a5);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Id int fn, @Advice.Enter boolean outer, @Advice.Return(typing = Assigner.Typing.DYNAMIC) long ret,
                         @Advice.Thrown Throwable thrown) {
            if (outer) {
                Recorder.callExit(fn, ret, thrown);
            }
        }
    }

    /** LibC.pthread_create(thread, attr, start, arg): recorded with the attribute's stack and guard sizes. */
    static final class PthreadCreate {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static boolean enter(@Id int fn, @Advice.This Object c, @Advice.Argument(0) long thread,
                             @Advice.Argument(1) long attr) {
            return Recorder.pthreadCreateEnter(c, fn, thread, attr);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Id int fn, @Advice.Enter boolean outer, @Advice.Return int ret, @Advice.Thrown Throwable thrown) {
            if (outer) {
                Recorder.callExit(fn, ret, thrown);
            }
        }
    }

    /** LibC.fork(body): a call without numeric arguments, returning the child's pid. */
    static final class Fork {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static boolean enter(@Id int fn, @Advice.This Object c) {
            return Recorder.callEnter(c, fn, 0, 0, 0, 0, 0, 0);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Id int fn, @Advice.Enter boolean outer, @Advice.Return int ret, @Advice.Thrown Throwable thrown) {
            if (outer) {
                Recorder.callExit(fn, ret, thrown);
            }
        }
    }

    /**
     * LibC.pthread_join(thread, retval): blocks while other threads run, so it is recorded when it
     * returns, as a call and its return at once.
     */
    static final class AfterBlocking {
        /** The call's site, taken as it is entered: other threads run (and name their own sites) while it blocks. */
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static int enter() {
            return Recorder.blockingEnter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Id int fn, @Advice.Enter int site, @Advice.This Object c, @Advice.Argument(0) long a0,
                         @Advice.Argument(1) long a1, @Advice.Return int ret, @Advice.Thrown Throwable thrown) {
            if (thrown == null) {
                Recorder.callAfterBlocking(c, fn, site, a0, a1, 0, 0, ret);
            }
        }
    }

    /** CProcess.waitpid(pid, wstatus, options), behind waitpid and wait: blocks, so it is recorded when it returns. */
    static final class Waited {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static int enter() {
            return Recorder.blockingEnter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter int site, @Advice.FieldValue("libc") Object c, @Advice.Argument(0) int pid,
                         @Advice.Argument(1) long wstatus, @Advice.Argument(2) int options, @Advice.Return int ret,
                         @Advice.Thrown Throwable thrown) {
            if (thrown == null) {
                Recorder.waited(c, site, pid, wstatus, options, ret);
            }
        }
    }

    /** A forked process's body (CProcess.runChild) or a thread's start routine (PThreads.runThread) begins. */
    static final class ContextStarts {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("libc") Object c) {
            Recorder.contextStarts(c);
        }
    }

    /** mallinfo/mallinfo2: calls whose result is an object (not recorded). */
    static final class Look {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static boolean enter(@Id int fn, @Advice.This Object c) {
            return Recorder.callEnter(c, fn, 0, 0, 0, 0, 0, 0);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Id int fn, @Advice.Enter boolean outer, @Advice.Thrown Throwable thrown) {
            if (outer) {
                Recorder.callExit(fn, 0, thrown);
            }
        }
    }

    /** putByte/putShort/putInt/putLong: {@link Id} is the width in bytes. */
    static final class Put {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Id int width, @Advice.This Object c, @Advice.Argument(0) long address,
                         @Advice.Argument(1) long value) {
            Recorder.put(c, address, value, width);
        }
    }

    /** memcpy, memmove, strncpy (n bytes at dest), strcpy, putString (a string at dest). */
    static final class Range {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            Recorder.rangeEnter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Id int op, @Advice.This Object c, @Advice.Argument(0) long dest,
                         @Advice.Argument(value = 2, optional = true) long n, @Advice.Thrown Throwable thrown) {
            Recorder.rangeExit(c, op, dest, n, thrown);
        }
    }

    static final class Memset {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            Recorder.rangeEnter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Object c, @Advice.Argument(0) long dest, @Advice.Argument(1) int value,
                         @Advice.Argument(2) long n, @Advice.Thrown Throwable thrown) {
            Recorder.fill(c, dest, value, n, thrown);
        }
    }

    static final class WriteBytes {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            Recorder.rangeEnter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Object c, @Advice.Argument(0) long dest, @Advice.Argument(1) byte[] bytes,
                         @Advice.Thrown Throwable thrown) {
            Recorder.bytes(c, dest, bytes, thrown);
        }
    }

    /** global(String, byte[]): the initialiser is written only when the name is new. */
    static final class Global {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static boolean enter(@Advice.This Object c, @Advice.Argument(0) String name) {
            return Recorder.globalKnown(c, name);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Object c, @Advice.Enter boolean known, @Advice.Argument(1) byte[] init,
                         @Advice.Return long address, @Advice.Thrown Throwable thrown) {
            Recorder.bytes(c, address, known ? null : init, thrown);
        }
    }

    /** LibC.site(String): an interpreted program's source line, the site of its next library call. */
    static final class SourceSite {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) String site) {
            Recorder.sourceSite(site);
        }
    }

    /** strdup(String): copies without a recorded write of its own. */
    static final class StrdupString {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            Recorder.rangeEnter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Object c, @Advice.Return long p, @Advice.Thrown Throwable thrown) {
            Recorder.strdup(c, p, thrown);
        }
    }

    /** The allocator's transition points (empty static methods). */
    static final class Transition {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Id int which,
                          @Advice.Argument(value = 0, optional = true) long a0,
                          @Advice.Argument(value = 1, optional = true) long a1,
                          @Advice.Argument(value = 2, optional = true) long a2,
                          @Advice.Argument(value = 3, optional = true) long a3,
                          @Advice.Argument(value = 4, optional = true) long a4,
                          @Advice.Argument(value = 5, optional = true) long a5) {
            Recorder.transition(which, a0, a1, a2, a3, a4, a5);
        }
    }

    static final class AbortPoint {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) String message) {
            Recorder.abort(message);
        }
    }

    /** Kernel.brk/sysBrk/sbrk/mmap/munmap/mremap/mprotect. */
    static final class Syscall {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Id int fn,
                         @Advice.Argument(value = 0, optional = true) long a0,
                         @Advice.Argument(value = 1, optional = true) long a1,
                         @Advice.Argument(value = 2, optional = true) long a2,
                         @Advice.Argument(value = 3, optional = true) long a3,
                         @Advice.Argument(value = 4, optional = true) long a4,
                         @Advice.Argument(value = 5, optional = true) long a5,
                         @Advice.Return(typing = Assigner.Typing.DYNAMIC) long ret) {
            Recorder.syscall(fn, a0, a1, a2, a3, a4, a5, ret);
        }
    }

    /** A BusError (SIGBUS) is constructed: (address, write, width, reason). */
    static final class BusErrorCreated {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) long address, @Advice.Argument(3) String reason) {
            Recorder.sigbus(address, reason);
        }
    }

    /** Vfs.open(path, flags, mode) returned a descriptor (or -1). */
    static final class FileOpened {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object vfs, @Advice.Argument(0) String path, @Advice.Argument(1) int flags,
                         @Advice.Return int fd) {
            Recorder.fileOpened(vfs, path, flags, fd);
        }
    }

    /** Vfs.close(fd) is entered (the path is still known). */
    static final class FileClosing {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object vfs, @Advice.Argument(0) int fd) {
            Recorder.fileClosing(vfs, fd);
        }
    }

    /** Kernel.fileMapped(address, length, offset, shared, path). */
    static final class FileMapped {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object kernel, @Advice.Argument(0) long address, @Advice.Argument(1) long length,
                          @Advice.Argument(2) long offset, @Advice.Argument(3) boolean shared,
                          @Advice.Argument(4) String path) {
            Recorder.fileMapped(kernel, address, length, offset, shared, path);
        }
    }

    /** Kernel.pageMadePrivate(address, offset, path). */
    static final class PagePrivate {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object kernel, @Advice.Argument(0) long address, @Advice.Argument(1) long offset,
                          @Advice.Argument(2) String path) {
            Recorder.pageMadePrivate(kernel, address, offset, path);
        }
    }

    /** Kernel.writtenBack(path, firstAddress, pages, cause). */
    static final class WrittenBack {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object kernel, @Advice.Argument(0) String path, @Advice.Argument(1) long address,
                          @Advice.Argument(2) int pages, @Advice.Argument(3) String cause) {
            Recorder.writtenBack(kernel, path, address, pages, cause);
        }
    }

    static final class SegfaultCreated {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) long address, @Advice.Argument(1) boolean write,
                         @Advice.Argument(2) int width, @Advice.Argument(3) String reason) {
            Recorder.segv(address, write, width, reason);
        }
    }

    /**
     * CProcess's constructor, on entry (before its fields are set): the recorded process gets
     * streams that record what it prints.
     */
    static final class ProcessOptionsIn {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object options) {
            options = Recorder.teeOutput(options);
        }
    }

    static final class ProcessCreated {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object p) {
            Recorder.processCreated(p);
        }
    }

    static final class Run {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object p, @Advice.Argument(1) String[] args) {
            Recorder.runStarted(p, args);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object p, @Advice.Return Object status) {
            Recorder.runEnded(p, status);
        }
    }
}
