package io.mallocscope.agent;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The woven classes the build puts into the agent jar, and the run-time weaving of any other class
 * file (the forked-JVM tests, AgentIT, record through both: -javaagent hands over the shipped copies,
 * an attached agent weaves what it retransforms).
 */
class InstrumenterTest {

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = InstrumenterTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static boolean mentions(byte[] classFile, String text) {
        return new String(classFile, StandardCharsets.ISO_8859_1).contains(text);
    }

    @Test
    void theShippedCopiesAreWhatByteBuddyMakesOfThisRuntime() throws IOException {
        String index = new String(resource(Instrumenter.WOVEN_INDEX), StandardCharsets.UTF_8);
        assertThat(index.lines().map(l -> l.substring(0, l.indexOf(' ')))).containsExactlyElementsOf(Instrumenter.HOOKED);
        for (String name : Instrumenter.HOOKED) {
            byte[] original = resource(name + ".class");
            byte[] shipped = resource(Instrumenter.WOVEN + name + ".woven");
            assertThat(index).contains(name + " " + original.length + " " + Long.toHexString(Instrumenter.crc(original)) + "\n");
            assertThat(shipped).as(name).isEqualTo(Weaver.weave(name, original, getClass().getClassLoader()));
            assertThat(mentions(shipped, "io/mallocscope/agent/Recorder")).as(name).isTrue();
            assertThat(mentions(original, "io/mallocscope/agent/Recorder")).as(name).isFalse();
        }
    }

    @Test
    void theRuntimeClassItWasMadeFromGetsTheShippedCopyAnyOtherIsWovenNow() throws IOException {
        Instrumenter t = Instrumenter.create();
        byte[] original = resource(Instrumenter.KERNEL + ".class");
        byte[] shipped = resource(Instrumenter.WOVEN + Instrumenter.KERNEL + ".woven");
        ClassLoader loader = getClass().getClassLoader();
        assertThat(t.transform(loader, Instrumenter.KERNEL, null, null, original)).isEqualTo(shipped);

        // the same class written out again by ASM: other bytes (another build, or a retransformed class)
        ClassWriter w = new ClassWriter(0);
        new ClassReader(original).accept(w, 0);
        byte[] rewritten = w.toByteArray();
        assertThat(rewritten).isNotEqualTo(original);
        byte[] woven = t.transform(loader, Instrumenter.KERNEL, null, null, rewritten);
        assertThat(woven).isNotNull().isNotEqualTo(shipped).isEqualTo(Weaver.weave(Instrumenter.KERNEL, rewritten, loader));
        assertThat(mentions(woven, "io/mallocscope/agent/Recorder")).isTrue();

        // anything else is left alone, unread
        assertThat(t.transform(loader, "io/mallocscope/runtime/malloc/Malloc", null, null, new byte[0])).isNull();
        assertThat(t.transform(loader, "java/lang/String", null, null, new byte[0])).isNull();
    }
}
