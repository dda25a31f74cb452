package io.mallocscope.runtime.memcheck;

import io.mallocscope.runtime.LibC;

import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The program's frames of a Java stack, as Valgrind shows a C program's: mallocscope's own frames (the
 * runtime, and any tool that registers itself with {@link #addMachinery}) and the JDK's are left out,
 * and the stack ends at the test engine (JUnit) if there is one (for memcheck, also at mallocscope
 * code that called the program: below {@code main}), at most {@link #MAX_FRAMES} frames
 * (Valgrind's default {@code --num-callers}). Which code is which is decided by where a class was
 * loaded from, not its package, so a tool's own tests count as the program.
 */
public final class ProgramFrames {
    /** Valgrind's default {@code --num-callers}. */
    public static final int MAX_FRAMES = 12;

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final StackWalker.StackFrame[] NO_FRAMES = {};
    private static final List<Class<?>> MACHINERY = new CopyOnWriteArrayList<>(List.of(LibC.class));

    /** What a frame is to a report; computed once per class. */
    private static final ClassValue<Kind> KINDS = new ClassValue<>() {
        @Override
        protected Kind computeValue(Class<?> type) {
            return kind(type);
        }
    };

    private enum Kind {
        /** mallocscope's runtime or a registered tool: the machinery between the program and malloc. */
        OURS,
        /** The JDK (streams, reflection, lambdas' plumbing): skipped, the frames around it are the program's. */
        JDK,
        /** The test engine that called the test: the stack ends here. */
        ENGINE,
        PROGRAM
    }

    private ProgramFrames() {
    }

    /**
     * Counts the classes loaded from where {@code anchor} was loaded as mallocscope's machinery, left
     * out of every stack from now on (mallocscope-junit registers itself). Call it before the first
     * stack is taken that should leave them out.
     */
    public static void addMachinery(Class<?> anchor) {
        if (!MACHINERY.contains(anchor)) {
            MACHINERY.add(anchor);
        }
    }

    /** The program's frames of the current thread's stack, innermost first, through CProcess.run and on. */
    public static StackWalker.StackFrame[] current() {
        return current(false);
    }

    /**
     * The program's frames of the current thread's stack, innermost first; with {@code endAtMain}, the
     * stack ends at the first mallocscope frame outside the program's (CProcess.run, what Valgrind shows
     * below {@code main}), else such frames are skipped like the others.
     */
    public static StackWalker.StackFrame[] current(boolean endAtMain) {
        return WALKER.walk(frames -> {
            List<StackWalker.StackFrame> kept = new ArrayList<>(4);
            var it = frames.iterator();
            while (it.hasNext() && kept.size() < MAX_FRAMES) {
                StackWalker.StackFrame f = it.next();
                Kind k = KINDS.get(f.getDeclaringClass());
                if (k == Kind.ENGINE || (endAtMain && k == Kind.OURS && !kept.isEmpty())) {
                    break; // the test engine, or what runs the program (CProcess.run): below main
                }
                if (k == Kind.PROGRAM) {
                    kept.add(f);
                }
            }
            return kept.toArray(NO_FRAMES);
        });
    }

    /** Whether the current stack runs inside the recording agent (its reads are not the program's). */
    public static boolean insideAgent() {
        return WALKER.walk(frames -> frames.anyMatch(f -> f.getClassName().startsWith("io.mallocscope.agent.")));
    }

    /**
     * The name of the outermost mallocscope method on the current stack below the program's
     * innermost frame: the LibC function the program called ("strcpy", "printf"), or "?" if none.
     */
    public static String calledFunction() {
        return WALKER.walk(frames -> {
            String last = "?";
            var it = frames.iterator();
            while (it.hasNext()) {
                StackWalker.StackFrame f = it.next();
                Kind k = KINDS.get(f.getDeclaringClass());
                if (k == Kind.OURS) {
                    last = f.getMethodName();
                } else if (k == Kind.PROGRAM || k == Kind.ENGINE) {
                    return last;
                }
            }
            return last;
        });
    }

    /** {@code Class.method(File.java:LINE)} for each frame. */
    public static List<String> format(StackWalker.StackFrame[] stack) {
        List<String> frames = new ArrayList<>(stack.length);
        for (StackWalker.StackFrame f : stack) {
            frames.add(f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")");
        }
        return frames;
    }

    /**
     * The program's frames of a Throwable's stack trace, innermost first, kept as {@link #current()}
     * keeps them; classes are looked up through {@code loader}.
     */
    public static List<StackTraceElement> of(StackTraceElement[] trace, ClassLoader loader) {
        List<StackTraceElement> kept = new ArrayList<>();
        for (StackTraceElement e : trace) {
            if (kept.size() >= MAX_FRAMES) {
                break;
            }
            Kind k;
            try {
                k = KINDS.get(Class.forName(e.getClassName(), false, loader));
            } catch (ClassNotFoundException | LinkageError notLoadable) {
                k = e.getClassName().startsWith("org.junit.") ? Kind.ENGINE : Kind.JDK;
            }
            if (k == Kind.ENGINE) {
                break;
            }
            if (k == Kind.PROGRAM) {
                kept.add(e);
            }
        }
        return kept;
    }

    private static Kind kind(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
            return Kind.JDK;
        }
        if (type.getName().startsWith("org.junit.")) {
            return Kind.ENGINE;
        }
        if (type.getName().startsWith("io.mallocscope.agent.")) {
            return Kind.OURS; // the recording agent reads memory through LibC for its own record
        }
        for (Class<?> ours : MACHINERY) {
            // the place and the package: a jar that bundles the runtime with programs (the samples
            // jar) holds both, and a tool's own tests share its package but not its place
            if (loadedFromSamePlaceAs(type, ours) && type.getPackageName().startsWith(ours.getPackageName())) {
                return Kind.OURS;
            }
        }
        return Kind.PROGRAM;
    }

    private static boolean loadedFromSamePlaceAs(Class<?> type, Class<?> ours) {
        CodeSource a = type.getProtectionDomain().getCodeSource();
        CodeSource b = ours.getProtectionDomain().getCodeSource();
        if (a == null || b == null || a.getLocation() == null || b.getLocation() == null) {
            return type.getPackageName().startsWith(ours.getPackageName());
        }
        return a.getLocation().toExternalForm().equals(b.getLocation().toExternalForm());
    }
}
