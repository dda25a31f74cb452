package io.mallocscope.agent;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Call sites known statically: in the program's own classes (anything outside the JDK, the runtime
 * and the agent that calls LibC), each call of a recorded LibC function is preceded by
 * {@code Recorder.site(ID)} (so is each call of a LibC function that may make one, such as strdup), and
 * each store (putLong, memcpy …) by {@code Recorder.writeSite(ID)}, where ID names {@code File.java:LINE} taken from the line-number table
 * at instrumentation time. Costs two instructions per call instead of a stack walk (docs/agent.md
 * has the measurements). Only instructions are added, so retransformation is allowed.
 */
final class CallSites implements ClassFileTransformer {
    private static final String LIBC = "io/mallocscope/runtime/LibC";
    private static final byte[] LIBC_BYTES = LIBC.getBytes(StandardCharsets.UTF_8);
    private static final String RECORDER = "io/mallocscope/agent/Recorder";
    private static final String RECORDER_CLASS = RECORDER + ".class";
    /**
     * LibC methods that never lead to a recorded call: the loads and stores. The loads get no marker,
     * so a program's inner loops stay as fast as they were; the stores get a write marker
     * ({@link #WRITE_SITE}). Every other LibC call gets a call marker, so that a recorded call made
     * inside strdup or printf (stdout's buffer) has its caller's site.
     */
    private static final Set<String> NO_SITE = Set.of("getByte", "getShort", "getInt", "getLong", "putByte", "putShort",
            "putInt", "putLong", "readBytes", "writeBytes", "memcpy", "memmove", "memset", "memcmp", "strlen", "strcmp",
            "strncmp", "strcpy", "strncpy", "putString", "string", "errno", "process", "local", "frame", "global",
            "globals", "function", "getpagesize", "strerror", "sprintf", "site");
    /**
     * The stores among them: each gets a write marker ({@code Recorder.writeSite(ID)}, two static stores),
     * so a recorded write has its line as a call has; the loads get nothing.
     */
    private static final Set<String> WRITE_SITE = Set.of("putByte", "putShort", "putInt", "putLong", "writeBytes",
            "memcpy", "memmove", "memset", "strcpy", "strncpy", "putString", "global", "sprintf");

    private static final List<String> names = new ArrayList<>(List.of(""));
    private static final Map<String, Integer> ids = new HashMap<>();

    /** The site text of an id. */
    static synchronized String name(int id) {
        return id > 0 && id < names.size() ? names.get(id) : "";
    }

    static synchronized int register(String site) {
        Integer id = ids.get(site);
        if (id == null) {
            id = names.size();
            names.add(site);
            ids.put(site, id);
        }
        return id;
    }

    /** Marked classes kept from earlier runs. */
    private final SiteCache cache;
    /** The classes shipped with this build (the samples), marked by the build. */
    private final ShippedSites shipped;

    CallSites(SiteCache cache) {
        this(cache, ShippedSites.inAgentJar());
    }

    CallSites(SiteCache cache, ShippedSites shipped) {
        this.cache = cache;
        this.shipped = shipped;
    }

    static synchronized int known() {
        return names.size();
    }

    static void install(Instrumentation inst, boolean retransformLoaded) {
        CallSites t = new CallSites(SiteCache.open());
        inst.addTransformer(t, true);
        if (retransformLoaded) {
            List<Class<?>> targets = new ArrayList<>();
            for (Class<?> c : inst.getAllLoadedClasses()) {
                if (c.getClassLoader() != null && !c.isArray() && inst.isModifiableClass(c)
                        && !excluded(c.getName().replace('.', '/'))) {
                    targets.add(c);
                }
            }
            for (Class<?> c : targets) {
                try {
                    inst.retransformClasses(c);
                } catch (Throwable e) {
                    // a class that cannot be retransformed keeps unknown call sites; not worth a message each
                    AgentState.instrumentationErrors.incrementAndGet();
                }
            }
        }
    }

    static boolean excluded(String internalName) {
        return internalName.startsWith("java/") || internalName.startsWith("javax/") || internalName.startsWith("jdk/")
                || internalName.startsWith("sun/") || internalName.startsWith("com/sun/")
                || internalName.startsWith("io/mallocscope/runtime/") || internalName.startsWith("io/mallocscope/agent/shaded/")
                // the C front end's interpreter: it names the C program's lines itself (LibC.site)
                || internalName.startsWith("io/mallocscope/c/")
                || internalName.startsWith("org/junit/") || internalName.startsWith("org/assertj/");
    }

    /** The agent's own classes (by where they were loaded from: its tests' programs share the package). */
    private static final java.net.URL AGENT_JAR = agentJar();

    private static java.net.URL agentJar() {
        try {
            return CallSites.class.getProtectionDomain().getCodeSource().getLocation();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean fromAgentJar(ProtectionDomain pd) {
        return pd != null && pd.getCodeSource() != null && AGENT_JAR != null
                && AGENT_JAR.equals(pd.getCodeSource().getLocation());
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd,
                            byte[] bytes) {
        if (className == null || loader == null || excluded(className) || !mentionsLibC(bytes)
                || fromAgentJar(pd) || !seesRecorder(loader)) {
            return null;
        }
        try {
            byte[] ready = shipped.get(className, bytes);
            if (ready != null) {
                return ready == SiteCache.UNMARKED ? null : ready;
            }
            int known = known();
            byte[] cached = cache.get(className, bytes, known);
            if (cached != null) {
                return cached == SiteCache.UNMARKED ? null : cached;
            }
            Map<Integer, String> sites = new LinkedHashMap<>();
            byte[] marked = SiteInserter.mark(bytes, className, sites);
            cache.put(className, bytes, known, sites, marked);
            return marked;
        } catch (Throwable t) {
            AgentState.instrumentationErrors.incrementAndGet();
            AgentState.report("mallocscope: cannot add call sites to " + className.replace('/', '.') + " (" + t
                    + "); its calls are recorded without a site");
            return null;
        }
    }

    private static final Map<ClassLoader, Boolean> visible = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** A class whose loader cannot find the Recorder (an isolated loader) is left alone rather than broken. */
    private static boolean seesRecorder(ClassLoader loader) {
        Boolean sees = visible.get(loader);
        if (sees == null) {
            sees = loader.getResource(RECORDER_CLASS) != null;
            visible.put(loader, sees);
        }
        return sees;
    }

    /** Whether the agent would look for call sites in class file {@code bytes} (it names LibC). */
    static boolean mentionsLibC(byte[] bytes) {
        return contains(bytes, LIBC_BYTES);
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0, n = hay.length - needle.length; i <= n; i++) {
            if (hay[i] != needle[0]) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * The build's marking of a shipped class ({@link ShippedSites}): {@code bytes} with its markers,
     * each site's marker loading a placeholder constant of its own, not yet an id; {@code sites} gets
     * each site in the order marking at run time registers them (the order its markers are met), and
     * {@code offsets} the offset in the result of the 4 bytes of each site's constant, so that the
     * agent puts the ids of the run there. Null when the class needs no marker.
     */
    static byte[] premark(byte[] bytes, String className, java.util.List<String> sites, java.util.List<Integer> offsets) {
        return SiteInserter.premark(bytes, className, sites, offsets);
    }

    /** The ASM side, apart so that a class found in the cache loads no ASM class. */
    private static final class SiteInserter extends ClassVisitor {
        private static final int CONSTANT_INTEGER = 3;
        private String source;
        private final String className;
        private final Map<Integer, String> sites;
        /** At build time: site → the placeholder constant its markers load (null: the run's ids). */
        private final Map<String, Integer> placeholders;
        private final int firstPlaceholder;
        boolean changed;

        private SiteInserter(ClassVisitor next, String className, Map<Integer, String> sites,
                             Map<String, Integer> placeholders, int firstPlaceholder) {
            super(Opcodes.ASM9, next);
            this.className = className;
            this.sites = sites;
            this.placeholders = placeholders;
            this.firstPlaceholder = firstPlaceholder;
        }

        /** The class with its markers, or null when it has none; {@code sites} gets each site it names. */
        static byte[] mark(byte[] bytes, String className, Map<Integer, String> sites) {
            ClassReader reader = new ClassReader(bytes);
            ClassWriter writer = new ClassWriter(reader, 0);
            SiteInserter inserter = new SiteInserter(writer, className, sites, null, 0);
            reader.accept(inserter, 0);
            return inserter.changed ? writer.toByteArray() : null;
        }

        static byte[] premark(byte[] bytes, String className, java.util.List<String> sites, java.util.List<Integer> offsets) {
            ClassReader reader = new ClassReader(bytes);
            Set<Integer> taken = integerConstants(reader).keySet();
            // placeholders no integer constant of the class has, so that each is a constant of its own
            for (int first = 0x6d730000; ; first += 0x10000) {
                Map<String, Integer> placeholders = new LinkedHashMap<>();
                ClassWriter writer = new ClassWriter(reader, 0);
                SiteInserter inserter = new SiteInserter(writer, className, new LinkedHashMap<>(), placeholders, first);
                reader.accept(inserter, 0);
                if (!inserter.changed) {
                    return null;
                }
                boolean clash = false;
                for (int p : placeholders.values()) {
                    clash |= taken.contains(p);
                }
                if (clash) {
                    continue;
                }
                byte[] marked = writer.toByteArray();
                Map<Integer, Integer> where = integerConstants(new ClassReader(marked));
                for (Map.Entry<String, Integer> e : placeholders.entrySet()) {
                    Integer at = where.get(e.getValue());
                    if (at == null) {
                        throw new IllegalStateException(className + ": no constant for the marker of " + e.getKey());
                    }
                    sites.add(e.getKey());
                    offsets.add(at);
                }
                return marked;
            }
        }

        /** The class's CONSTANT_Integer values → the offset of each one's 4 bytes (the last, if repeated). */
        private static Map<Integer, Integer> integerConstants(ClassReader reader) {
            Map<Integer, Integer> constants = new HashMap<>();
            for (int i = 1; i < reader.getItemCount(); i++) {
                int at = reader.getItem(i); // just past the entry's tag; 0 for the second slot of a long or double
                if (at > 0 && reader.readByte(at - 1) == CONSTANT_INTEGER) {
                    constants.put(reader.readInt(at), at);
                }
            }
            return constants;
        }

        @Override
        public void visitSource(String source, String debug) {
            this.source = source;
            super.visitSource(source, debug);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                         String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            return new MethodVisitor(Opcodes.ASM9, mv) {
                int line = -1;

                boolean marked;

                @Override
                public void visitMaxs(int maxStack, int maxLocals) {
                    // the marker's int is pushed on top of what the call's arguments use: one more slot
                    super.visitMaxs(marked ? maxStack + 1 : maxStack, maxLocals);
                }

                @Override
                public void visitLineNumber(int line, Label start) {
                    this.line = line;
                    super.visitLineNumber(line, start);
                }

                @Override
                public void visitMethodInsn(int opcode, String owner, String mname, String desc, boolean itf) {
                    boolean call = !NO_SITE.contains(mname);
                    if (owner.equals(LIBC) && (call || WRITE_SITE.contains(mname))) {
                        String file = source != null ? source
                                : className.substring(className.lastIndexOf('/') + 1).replaceAll("\\$.*", "") + ".java";
                        String site = file + ":" + (line < 0 ? "?" : Integer.toString(line));
                        int id;
                        if (placeholders == null) {
                            id = register(site);
                        } else {
                            Integer p = placeholders.get(site);
                            id = p != null ? p : firstPlaceholder + placeholders.size();
                            placeholders.putIfAbsent(site, id);
                        }
                        sites.putIfAbsent(id, site);
                        super.visitLdcInsn(id);
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, RECORDER, call ? "site" : "writeSite", "(I)V", false);
                        changed = true;
                        marked = true;
                    }
                    super.visitMethodInsn(opcode, owner, mname, desc, itf);
                }
            };
        }
    }
}
