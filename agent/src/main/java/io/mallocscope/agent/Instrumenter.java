package io.mallocscope.agent;

import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.timeline.Functions;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.annotation.AnnotationDescription;
import net.bytebuddy.description.enumeration.EnumerationDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.is;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Installs the advice on the runtime's classes, matched by name so nothing is loaded early:
 * LibC (calls and program writes), Transitions (allocator transitions), Kernel (system calls),
 * CProcess (the recorded process and its output streams, run's end) and Segfault (SIGSEGV).
 * Retransformation makes the same work when attaching to a JVM that has loaded them already.
 */
final class Instrumenter {
    private Instrumenter() {
    }

    static final String RUNTIME = "io.mallocscope.runtime.";
    static final String LIBC = RUNTIME + "LibC";
    static final String TRANSITIONS = RUNTIME + "malloc.Transitions";
    static final String TRANSITION_POINT = RUNTIME + "malloc.TransitionPoint";
    static final String KERNEL = RUNTIME + "vm.Kernel";
    static final String CPROCESS = RUNTIME + "CProcess";
    static final String SEGFAULT = RUNTIME + "signal.Segfault";
    static final String BUS_ERROR = RUNTIME + "signal.BusError";
    static final String VFS = RUNTIME + "fs.Vfs";
    static final String PTHREADS = RUNTIME + "PThreads";

    static void install(Instrumentation inst, AgentOptions options) {
        new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                .with(new ErrorListener())
                .ignore(nameStartsWith("io.mallocscope.agent.").or(not(nameStartsWith(RUNTIME))))
                .type(named(LIBC)).transform(Instrumenter::libc)
                .type(named(TRANSITIONS)).transform(Instrumenter::transitions)
                .type(named(KERNEL)).transform(Instrumenter::kernel)
                .type(named(CPROCESS)).transform((b, t, l, m, d) -> b
                        .visit(Advice.to(Advices.ProcessOptionsIn.class).on(isConstructor().and(takesArguments(1))))
                        .visit(Advice.to(Advices.ProcessCreated.class).on(isConstructor()))
                        .visit(Advice.to(Advices.Run.class).on(named("run").and(takesArguments(2))))
                        .visit(Advice.to(Advices.ContextStarts.class).on(named("runChild")))
                        .visit(Advice.to(Advices.Waited.class).on(named("waitpid").and(takesArguments(3)))))
                .type(named(PTHREADS)).transform((b, t, l, m, d) -> b
                        .visit(Advice.to(Advices.ContextStarts.class).on(named("runThread"))))
                .type(named(BUS_ERROR)).transform((b, t, l, m, d) -> b
                        .visit(Advice.to(Advices.BusErrorCreated.class).on(isConstructor().and(takesArguments(4)))))
                .type(named(VFS)).transform((b, t, l, m, d) -> b
                        .visit(Advice.to(Advices.FileOpened.class).on(named("open").and(takesArguments(3))))
                        .visit(Advice.to(Advices.FileClosing.class).on(named("close").and(takesArguments(1)))))
                .type(named(SEGFAULT)).transform((b, t, l, m, d) -> b
                        .visit(Advice.to(Advices.SegfaultCreated.class).on(isConstructor().and(takesArguments(4)))))
                .installOn(inst);
    }

    private static AsmVisitorWrapper bound(Class<?> advice, int id, ElementMatcher<? super MethodDescription> on) {
        return Advice.withCustomMapping().bind(Advices.Id.class, id).to(advice).on(on);
    }

    private static DynamicType.Builder<?> libc(DynamicType.Builder<?> b, TypeDescription t, ClassLoader l,
                                                JavaModule m, java.security.ProtectionDomain d) {
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
        b = b.visit(bound(Advices.Put.class, 1, named("putByte")))
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
        return b;
    }

    /**
     * Each {@code @TransitionPoint(EventKind.X)} method of Transitions gets the transition advice with
     * X's ordinal bound (the abort point, which carries glibc's message, its own advice): the kind is
     * read off the hook, so nothing here lists the hooks or keeps their order.
     */
    private static DynamicType.Builder<?> transitions(DynamicType.Builder<?> b, TypeDescription t, ClassLoader l,
                                                       JavaModule m, java.security.ProtectionDomain d) {
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
            if (a.getAnnotationType().getName().equals(TRANSITION_POINT)) {
                return EventKind.valueOf(a.getValue("value").resolve(EnumerationDescription.class).getValue());
            }
        }
        return null;
    }

    private static DynamicType.Builder<?> kernel(DynamicType.Builder<?> b, TypeDescription t, ClassLoader l,
                                                  JavaModule m, java.security.ProtectionDomain d) {
        String[][] calls = {{"brk", "brk"}, {"sysBrk", "sys_brk"}, {"sbrk", "sbrk"}, {"mmap", "mmap"},
                {"munmap", "munmap"}, {"mremap", "mremap"}, {"mprotect", "mprotect"}};
        for (String[] c : calls) {
            b = b.visit(bound(Advices.Syscall.class, Functions.byName(c[1]), named(c[0]).and(isPublic())));
        }
        return b.visit(Advice.to(Advices.FileMapped.class).on(named("fileMapped")))
                .visit(Advice.to(Advices.PagePrivate.class).on(named("pageMadePrivate")))
                .visit(Advice.to(Advices.WrittenBack.class).on(named("writtenBack")));
    }

    /** Reports instrumentation failures on stderr instead of swallowing them. */
    static final class ErrorListener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                            Throwable throwable) {
            AgentState.instrumentationErrors.incrementAndGet();
            AgentState.report("mallocscope: cannot instrument " + typeName + " (" + throwable
                    + "); its events will be missing from the timeline");
        }
    }
}
