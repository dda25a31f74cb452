package io.mallocscope.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Installs the advice on the runtime's hooked classes as they load: one {@link ClassFileTransformer}
 * that looks at nothing but these eight class names (LibC, Transitions, Kernel, CProcess, Vfs,
 * Segfault, BusError, PThreads), so no other class pays for the agent and nothing of the runtime is loaded
 * early. The build wove them already ({@link Weaver#main}): when the class file being loaded is the
 * one the agent jar's copy was made from (same length and CRC-32), the woven copy is handed over as
 * it is and ByteBuddy is never loaded. Any other class file (another build of the runtime, or the
 * class as the JVM gives it back when the agent is attached and retransforms it) is woven then, by
 * {@link Weaver}. Kept free of ByteBuddy's types so that loading this class loads none of them.
 */
final class Instrumenter implements ClassFileTransformer {
    static final String RUNTIME = "io/mallocscope/runtime/";
    static final String LIBC = RUNTIME + "LibC";
    static final String TRANSITIONS = RUNTIME + "malloc/Transitions";
    static final String TRANSITION_POINT = "io.mallocscope.runtime.malloc.TransitionPoint";
    static final String KERNEL = RUNTIME + "vm/Kernel";
    static final String CPROCESS = RUNTIME + "CProcess";
    static final String SEGFAULT = RUNTIME + "signal/Segfault";
    static final String BUS_ERROR = RUNTIME + "signal/BusError";
    static final String VFS = RUNTIME + "fs/Vfs";
    static final String PTHREADS = RUNTIME + "PThreads";
    /** The classes that get advice (internal names). */
    static final List<String> HOOKED = List.of(LIBC, TRANSITIONS, KERNEL, CPROCESS, SEGFAULT, BUS_ERROR, VFS, PTHREADS);

    /** Where the agent jar keeps the woven classes (NAME.woven) and their index. */
    static final String WOVEN = "META-INF/mallocscope/woven/";
    static final String WOVEN_INDEX = WOVEN + "index";

    /** Hooked class → "length crc" of the class file its woven copy was made from (empty: none shipped). */
    private final Map<String, String> woven;

    private Instrumenter(Map<String, String> woven) {
        this.woven = woven;
    }

    /** The transformer, with the index of the woven copies the agent jar carries. */
    static Instrumenter create() {
        return new Instrumenter(readIndex());
    }

    static void install(Instrumentation inst, boolean attach) {
        Instrumenter t = create();
        inst.addTransformer(t, true);
        if (attach) {
            List<Class<?>> loaded = new ArrayList<>();
            for (Class<?> c : inst.getAllLoadedClasses()) {
                if (HOOKED.contains(c.getName().replace('.', '/')) && inst.isModifiableClass(c)) {
                    loaded.add(c);
                }
            }
            for (Class<?> c : loaded) {
                try {
                    inst.retransformClasses(c);
                } catch (Throwable e) {
                    failed(c.getName(), e);
                }
            }
        }
    }

    private static Map<String, String> readIndex() {
        Map<String, String> index = new HashMap<>();
        try (InputStream in = Instrumenter.class.getClassLoader().getResourceAsStream(WOVEN_INDEX)) {
            if (in != null) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    int sp = line.indexOf(' ');
                    if (sp > 0) {
                        index.put(line.substring(0, sp), line.substring(sp + 1));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            index.clear(); // weave at run time instead
        }
        return index;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd,
                            byte[] bytes) {
        if (className == null || !className.startsWith(RUNTIME) || !HOOKED.contains(className)) {
            return null;
        }
        try {
            byte[] prewoven = prewoven(className, bytes);
            return prewoven != null ? prewoven : Weaver.weave(className, bytes, loader);
        } catch (Throwable t) {
            failed(className.replace('/', '.'), t);
            return null;
        }
    }

    /** The agent jar's woven copy of the class, when {@code bytes} is the class file it was made from. */
    private byte[] prewoven(String className, byte[] bytes) throws IOException {
        String made = woven.get(className);
        if (made == null || !made.equals(bytes.length + " " + Long.toHexString(crc(bytes)))) {
            return null;
        }
        try (InputStream in = Instrumenter.class.getClassLoader().getResourceAsStream(WOVEN + className + ".woven")) {
            return in == null ? null : in.readAllBytes();
        }
    }

    static long crc(byte[] bytes) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    private static void failed(String typeName, Throwable t) {
        AgentState.instrumentationErrors.incrementAndGet();
        AgentState.report("mallocscope: cannot instrument " + typeName + " (" + t
                + "); its events will be missing from the timeline");
    }
}
