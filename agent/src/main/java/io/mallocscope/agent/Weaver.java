package io.mallocscope.agent;

import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.timeline.Functions;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.annotation.AnnotationDescription;
import net.bytebuddy.description.enumeration.EnumerationDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.TypeResolutionStrategy;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static net.bytebuddy.matcher.ElementMatchers.is;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Puts the advice ({@link Advices}) into one of the runtime's hooked classes with ByteBuddy: LibC
 * (calls and program writes, threads and forks), Transitions (allocator transitions), Kernel (system
 * calls and file mappings), CProcess (the recorded process, its output streams, run's end, forked
 * children and waitpid), PThreads (a thread starting), Vfs (opens and closes), Segfault and BusError. Only method bodies change (no member is added), so the result can also
 * replace a loaded class.
 *
 * <p>The build runs {@link #main} over the runtime it was compiled with, so the agent jar carries
 * these classes already woven ({@link Instrumenter} hands them over as they load, and ByteBuddy is
 * not even loaded); this class weaves at run time only a runtime of another build, or classes
 * retransformed when the agent is attached to a running JVM. Public only for the build's step.
 */
public final class Weaver {
    private Weaver() {
    }

    /**
     * {@code bytes} (the class file of hooked class {@code internalName}, as {@code loader} defines it)
     * with the advice in, as ByteBuddy's agent builder would make it with class format changes disabled
     * and the type decorated.
     */
    static byte[] weave(String internalName, byte[] bytes, ClassLoader loader) {
        String name = internalName.replace('/', '.');
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(name, bytes),
                loader == null ? ClassFileLocator.ForClassLoader.ofBootLoader() : ClassFileLocator.ForClassLoader.of(loader));
        TypePool pool = TypePool.Default.WithLazyResolution.of(locator);
        TypeDescription type = pool.describe(name).resolve();
        DynamicType.Builder<?> b = new ByteBuddy().with(Implementation.Context.Disabled.Factory.INSTANCE)
                .decorate(type, locator);
        return advise(internalName, b, type).make(TypeResolutionStrategy.Disabled.INSTANCE, pool).getBytes();
    }

    private static DynamicType.Builder<?> advise(String internalName, DynamicType.Builder<?> b, TypeDescription t) {
        switch (internalName) {
            case Instrumenter.LIBC:
                return libc(b);
            case Instrumenter.TRANSITIONS:
                return transitions(b, t);
            case Instrumenter.KERNEL:
                return kernel(b);
            case Instrumenter.CPROCESS:
                return b.visit(Advice.to(Advices.ProcessOptionsIn.class).on(isConstructor().and(takesArguments(1))))
                        .visit(Advice.to(Advices.ProcessCreated.class).on(isConstructor()))
                        .visit(Advice.to(Advices.Run.class).on(named("run").and(takesArguments(2))))
                        .visit(Advice.to(Advices.ContextStarts.class).on(named("runChild")))
                        .visit(Advice.to(Advices.Waited.class).on(named("waitpid").and(takesArguments(3))));
            case Instrumenter.PTHREADS:
                return b.visit(Advice.to(Advices.ContextStarts.class).on(named("runThread")));
            case Instrumenter.BUS_ERROR:
                return b.visit(Advice.to(Advices.BusErrorCreated.class).on(isConstructor().and(takesArguments(4))));
            case Instrumenter.VFS:
                return b.visit(Advice.to(Advices.FileOpened.class).on(named("open").and(takesArguments(3))))
                        .visit(Advice.to(Advices.FileClosing.class).on(named("close").and(takesArguments(1))));
            case Instrumenter.SEGFAULT:
                return b.visit(Advice.to(Advices.SegfaultCreated.class).on(isConstructor().and(takesArguments(4))));
            default:
                throw new IllegalArgumentException(internalName + " is not a hooked class");
        }
    }

    private static AsmVisitorWrapper bound(Class<?> advice, int id, ElementMatcher<? super MethodDescription> on) {
        return Advice.withCustomMapping().bind(Advices.Id.class, id).to(advice).on(on);
    }

    private static DynamicType.Builder<?> libc(DynamicType.Builder<?> b) {
        // LibC's recorded functions (call/return events) are the LibC rows of Functions, C name = Java name
        for (int fn = 0; fn < Functions.count(); fn++) {
            if (!Functions.isLibCCall(fn)) {
                continue;
            }
            String name = Functions.name(fn);
            Class<?> advice = name.equals("mallinfo") || name.equals("mallinfo2") ? Advices.Look.class : Advices.Call.class;
            b = b.visit(bound(advice, fn, named(name).and(isPublic()).and(not(isStatic()))));
        }
        // threads and processes: pthread_join blocks, so it is recorded as it returns; a thread's end is
        // recorded as pthread_exit(value) around glibc's __libc_thread_freeres
        b = b.visit(bound(Advices.PthreadCreate.class, Functions.PTHREAD_CREATE, named("pthread_create").and(isPublic())))
                .visit(bound(Advices.AfterBlocking.class, Functions.PTHREAD_JOIN, named("pthread_join").and(isPublic())))
                .visit(bound(Advices.Call.class, Functions.PTHREAD_EXIT, named("libcThreadFreeres")))
                .visit(bound(Advices.Fork.class, Functions.FORK, named("fork").and(isPublic())));
        return b.visit(bound(Advices.Put.class, 1, named("putByte")))
                .visit(bound(Advices.Put.class, 2, named("putShort")))
                .visit(bound(Advices.Put.class, 4, named("putInt")))
                .visit(bound(Advices.Put.class, 8, named("putLong")))
                .visit(bound(Advices.Range.class, Recorder.W_COPY, named("memcpy").or(named("memmove")).or(named("strncpy"))))
                .visit(bound(Advices.Range.class, Recorder.W_STRING, named("strcpy").or(named("putString"))))
                .visit(Advice.to(Advices.Memset.class).on(named("memset")))
                .visit(Advice.to(Advices.WriteBytes.class).on(named("writeBytes").and(takesArguments(2))))
                .visit(Advice.to(Advices.Global.class).on(named("global").and(takesArgument(1, byte[].class))))
                .visit(Advice.to(Advices.StrdupString.class).on(named("strdup").and(takesArgument(0, String.class))))
                .visit(Advice.to(Advices.SourceSite.class).on(named("site").and(takesArgument(0, String.class))));
    }

    /**
     * Each {@code @TransitionPoint(EventKind.X)} method of Transitions gets the transition advice with
     * X's ordinal bound (the abort point, which carries glibc's message, its own advice): the kind is
     * read off the hook, so nothing here lists the hooks or keeps their order.
     */
    private static DynamicType.Builder<?> transitions(DynamicType.Builder<?> b, TypeDescription t) {
        for (MethodDescription.InDefinedShape method : t.getDeclaredMethods()) {
            EventKind kind = transitionKind(method);
            if (kind == null) {
                continue;
            }
            ElementMatcher<? super MethodDescription> it = is(method);
            b = kind == EventKind.ABORT ? b.visit(Advice.to(Advices.AbortPoint.class).on(it))
                    : b.visit(bound(Advices.Transition.class, kind.ordinal(), it));
        }
        return b;
    }

    /** The kind a {@code @TransitionPoint} method records, or null for any other method. */
    static EventKind transitionKind(MethodDescription method) {
        for (AnnotationDescription a : method.getDeclaredAnnotations()) {
            if (a.getAnnotationType().getName().equals(Instrumenter.TRANSITION_POINT)) {
                return EventKind.valueOf(a.getValue("value").resolve(EnumerationDescription.class).getValue());
            }
        }
        return null;
    }

    private static DynamicType.Builder<?> kernel(DynamicType.Builder<?> b) {
        String[][] calls = {{"brk", "brk"}, {"sysBrk", "sys_brk"}, {"sbrk", "sbrk"}, {"mmap", "mmap"},
                {"munmap", "munmap"}, {"mremap", "mremap"}, {"mprotect", "mprotect"}};
        for (String[] c : calls) {
            b = b.visit(bound(Advices.Syscall.class, Functions.byName(c[1]), named(c[0]).and(isPublic())));
        }
        return b.visit(Advice.to(Advices.FileMapped.class).on(named("fileMapped")))
                .visit(Advice.to(Advices.PagePrivate.class).on(named("pageMadePrivate")))
                .visit(Advice.to(Advices.WrittenBack.class).on(named("writtenBack")));
    }

    /**
     * The build's weaving step: {@code Weaver DIR} writes each hooked class of the runtime on the class
     * path, woven, under DIR/{@value Instrumenter#WOVEN}, and the index naming the length and CRC-32 of
     * the class file each was made from.
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        ClassLoader loader = Weaver.class.getClassLoader();
        StringBuilder index = new StringBuilder();
        for (String name : Instrumenter.HOOKED) {
            byte[] bytes;
            try (InputStream in = loader.getResourceAsStream(name + ".class")) {
                if (in == null) {
                    throw new IOException("the runtime class " + name + " is not on the class path");
                }
                bytes = in.readAllBytes();
            }
            byte[] woven = weave(name, bytes, loader);
            Path out = dir.resolve(Instrumenter.WOVEN + name + ".woven");
            Files.createDirectories(out.getParent());
            Files.write(out, woven);
            index.append(name).append(" ").append(bytes.length).append(" ").append(Long.toHexString(Instrumenter.crc(bytes))).append('\n');
        }
        Path idx = dir.resolve(Instrumenter.WOVEN_INDEX);
        Files.createDirectories(idx.getParent());
        Files.writeString(idx, index);
        System.out.println("mallocscope agent: wove " + Instrumenter.HOOKED.size() + " runtime classes into " + dir.resolve(Instrumenter.WOVEN));
    }
}
