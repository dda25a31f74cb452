package io.mallocscope.agent;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The samples' classes as the build marked them (the agent jar's {@value ShippedSites#RESOURCE}):
 * with the ids of the run written in, each is the class marking it at run time makes, and its sites
 * get their ids in the same order.
 */
class ShippedSitesTest {
    private static final String FIRST_FIT = "io/mallocscope/samples/FirstFit";

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ShippedSitesTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** The class written again with a constant pool made afresh: equal for classes that differ only in their pools. */
    private static byte[] canonical(byte[] classFile) {
        ClassWriter w = new ClassWriter(0);
        new ClassReader(classFile).accept(w, 0);
        return w.toByteArray();
    }

    /** The samples' classes (on the class path from the samples jar) that the agent would look at. */
    private static Map<String, byte[]> samples() throws IOException {
        Map<String, byte[]> classes = new TreeMap<>();
        for (String name : ShippedSites.of(resource(ShippedSites.RESOURCE)).names()) {
            classes.put(name, resource(name + ".class"));
        }
        return classes;
    }

    @Test
    void everySampleThatNamesLibCIsShipped() throws IOException {
        Map<String, byte[]> classes = samples();
        assertThat(classes).containsKey(FIRST_FIT).containsKey("io/mallocscope/samples/Replay")
                .hasSizeGreaterThanOrEqualTo(45);
        assertThat(classes.keySet()).allMatch(n -> n.startsWith("io/mallocscope/samples/"));
        // and the resource is what the build step makes of them now
        assertThat(resource(ShippedSites.RESOURCE)).isEqualTo(ShippedSites.make(classes));
    }

    @Test
    void eachShippedClassIsTheRunTimeMarkingWithTheSameIdsInTheSameOrder() throws IOException {
        ShippedSites shipped = ShippedSites.of(resource(ShippedSites.RESOURCE));
        int markedClasses = 0;
        for (Map.Entry<String, byte[]> c : samples().entrySet()) {
            String name = c.getKey();
            byte[] original = c.getValue();
            int known = CallSites.known();
            byte[] ready = shipped.get(name, original);
            assertThat(ready).as(name).isNotNull();
            int registered = CallSites.known() - known;

            // run-time marking now finds every site registered, under the ids the shipped class carries
            byte[] marked = new CallSites(SiteCache.in(null), ShippedSites.of(new byte[0]))
                    .transform(getClass().getClassLoader(), name, null, null, original);
            assertThat(CallSites.known() - known).as(name).isEqualTo(registered);
            if (ready == SiteCache.UNMARKED) {
                assertThat(marked).as(name).isNull();
                continue;
            }
            markedClasses++;
            assertThat(canonical(ready)).as(name).isEqualTo(canonical(marked));
            assertThat(new String(ready, StandardCharsets.ISO_8859_1)).contains("io/mallocscope/agent/Recorder");

            // the sites new to this run got their ids in the order run-time marking meets them
            List<Integer> firstMet = new ArrayList<>();
            for (int id : markerIds(ready)) {
                if (id >= known && !firstMet.contains(id)) {
                    firstMet.add(id);
                }
            }
            assertThat(firstMet).as(name).hasSize(registered);
            for (int i = 0; i < firstMet.size(); i++) {
                assertThat(firstMet.get(i)).as(name).isEqualTo(known + i);
            }
        }
        assertThat(markedClasses).isGreaterThanOrEqualTo(45);
    }

    @Test
    void anotherClassFileOfTheSameNameIsNotTaken() throws IOException {
        ShippedSites shipped = ShippedSites.of(resource(ShippedSites.RESOURCE));
        byte[] original = resource(FIRST_FIT + ".class");
        byte[] changed = original.clone();
        changed[changed.length - 1] ^= 1;
        assertThat(shipped.get(FIRST_FIT, changed)).isNull();
        assertThat(shipped.get("io/mallocscope/samples/NoSuchSample", original)).isNull();
        assertThat(ShippedSites.of(new byte[]{1, 2, 3}).get(FIRST_FIT, original)).isNull();
        byte[] ready = shipped.get(FIRST_FIT, original);
        assertThat(ready).isNotNull().isNotSameAs(SiteCache.UNMARKED);
        // a second load of the class gets a fresh copy with the same ids
        assertThat(shipped.get(FIRST_FIT, original)).isEqualTo(ready).isNotSameAs(ready);
    }

    /** The ids the class's markers pass to Recorder.site, in the order the class's methods and code hold them. */
    private static List<Integer> markerIds(byte[] classFile) {
        List<Integer> ids = new ArrayList<>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    Object constant;

                    @Override
                    public void visitLdcInsn(Object value) {
                        constant = value;
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String mname, String mdesc, boolean itf) {
                        if (owner.equals("io/mallocscope/agent/Recorder") && (mname.equals("site") || mname.equals("writeSite"))) {
                            ids.add((Integer) constant);
                        }
                    }
                };
            }
        }, 0);
        return ids;
    }

    @Test
    void aPlaceholderIsNeverAConstantTheProgramUses() throws IOException {
        // a class whose own code loads the first placeholder the build would take, 0x6d730000
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "gen/Uses", null, "java/lang/Object", null);
        cw.visitSource("Uses.java", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_STATIC, "f", "(Lio/mallocscope/runtime/LibC;)J", null, null);
        mv.visitCode();
        Label line = new Label();
        mv.visitLabel(line);
        mv.visitLineNumber(7, line);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitLdcInsn(0x6d730000);
        mv.visitInsn(Opcodes.I2L);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "io/mallocscope/runtime/LibC", "malloc", "(J)J", false);
        mv.visitInsn(Opcodes.LRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        byte[] original = cw.toByteArray();

        byte[] ready = ShippedSites.of(ShippedSites.make(Map.of("gen/Uses", original))).get("gen/Uses", original);
        int id = CallSites.register("Uses.java:7");
        assertThat(markerIds(ready)).containsExactly(id);
        byte[] marked = new CallSites(SiteCache.in(null), ShippedSites.of(new byte[0]))
                .transform(getClass().getClassLoader(), "gen/Uses", null, null, original);
        assertThat(canonical(ready)).isEqualTo(canonical(marked)); // the program's 0x6d730000 is still its own
    }
}
