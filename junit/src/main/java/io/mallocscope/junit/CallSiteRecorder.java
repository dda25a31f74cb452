package io.mallocscope.junit;

import io.mallocscope.runtime.AllocationListener;
import io.mallocscope.runtime.LibC;

import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Listens to one process's LibC and remembers, for each block still allocated, which call made it and
 * the program's stack at that moment, the way Valgrind keeps an allocation stack per block. The stack
 * is taken only while a recorder is registered; LibC pays nothing for it otherwise.
 */
final class CallSiteRecorder implements AllocationListener {
    /** Valgrind's default {@code --num-callers}. */
    static final int MAX_FRAMES = 12;

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final StackWalker.StackFrame[] NO_FRAMES = {};

    /** What a frame is to a leak report; computed once per class. */
    private static final ClassValue<Kind> KINDS = new ClassValue<>() {
        @Override
        protected Kind computeValue(Class<?> type) {
            return kind(type);
        }
    };

    private enum Kind {
        /** mallocscope's runtime or this module's main code: the machinery between the program and malloc. */
        OURS,
        /** The JDK (streams, reflection, lambdas' plumbing): skipped, the frames around it are the program's. */
        JDK,
        /** The test engine that called the test: the stack ends here. */
        ENGINE,
        PROGRAM
    }

    private record Block(String function, long requested, StackWalker.StackFrame[] stack) {
    }

    /** The live blocks, oldest first. */
    private final Map<Long, Block> live = new LinkedHashMap<>();

    @Override
    public void allocated(String function, long pointer, long requested) {
        live.put(pointer, new Block(function, requested, stack()));
    }

    @Override
    public void released(String function, long pointer) {
        live.remove(pointer);
    }

    /** What is known of the live block at {@code pointer}, or null if nothing is. */
    Allocation allocation(long pointer) {
        Block b = live.get(pointer);
        return b == null ? null : allocation(pointer, b);
    }

    /** Every live block recorded, oldest first. */
    List<Allocation> allocations() {
        List<Allocation> out = new ArrayList<>(live.size());
        live.forEach((p, b) -> out.add(allocation(p, b)));
        return out;
    }

    private static Allocation allocation(long pointer, Block b) {
        List<String> frames = new ArrayList<>(b.stack().length);
        for (StackWalker.StackFrame f : b.stack()) {
            frames.add(f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")");
        }
        return new Allocation(pointer, b.requested(), b.function(), List.copyOf(frames));
    }

    /** The program's frames, innermost first: mallocscope's and the JDK's left out, up to the test engine. */
    private static StackWalker.StackFrame[] stack() {
        return WALKER.walk(frames -> {
            List<StackWalker.StackFrame> kept = new ArrayList<>(4);
            var it = frames.iterator();
            while (it.hasNext() && kept.size() < MAX_FRAMES) {
                StackWalker.StackFrame f = it.next();
                Kind k = KINDS.get(f.getDeclaringClass());
                if (k == Kind.ENGINE) {
                    break;
                }
                if (k == Kind.PROGRAM) {
                    kept.add(f);
                }
            }
            return kept.toArray(NO_FRAMES);
        });
    }

    private static Kind kind(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
            return Kind.JDK;
        }
        if (type.getName().startsWith("org.junit.")) {
            return Kind.ENGINE;
        }
        // By where the class was loaded from rather than by package, so that tests living in
        // io.mallocscope.junit (this module's own) count as the program.
        if (loadedFromSamePlaceAs(type, LibC.class) || loadedFromSamePlaceAs(type, CallSiteRecorder.class)) {
            return Kind.OURS;
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
