package io.mallocscope.samples;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.vm.Layout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs a sample in-process, stdout a pipe (as in the C reference runs), and checks its output. */
final class SampleRun {
    /** The initial program break: the heap start every relative address in the samples is measured from. */
    static final long HEAP = Layout.INITIAL_BRK;

    private SampleRun() {
    }

    static CProcess.Captured run(Class<? extends CProgram> type, String... args) {
        Sample s = type.getAnnotation(Sample.class);
        CProgram program;
        try {
            program = type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return CProcess.runCaptured(ProcessOptions.defaults().withProgramName(s.name()), program, args);
    }

    /** Runs the sample and checks it ends with the status its {@code @Sample} declares. */
    static CProcess.Captured runExpectingDeclaredStatus(Class<? extends CProgram> type, String... args) {
        CProcess.Captured r = run(type, args);
        int expected = type.getAnnotation(Sample.class).expectedStatus();
        assertThat(r.status().code()).as("status of %s; stderr:%n%s", type.getSimpleName(), r.stderr())
                .isEqualTo(expected);
        return r;
    }

    /**
     * The stdout real glibc 2.36 printed for the C twin of a sample (src/test/c/NAME.c, run with
     * {@code setarch -R} and stdout a pipe). {@code <any>} stands for one token that depends on where
     * libc or a mapping sits, which our layout does not copy byte for byte.
     */
    static String glibcOutput(String name) {
        try (InputStream in = SampleRun.class.getResourceAsStream("glibc-2.36/" + name + ".out")) {
            if (in == null) {
                throw new AssertionError("no reference output glibc-2.36/" + name + ".out");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Asserts {@code actual} equals the glibc reference output line for line, {@code <any>} matching one token. */
    static void assertMatchesGlibc(String actual, String name) {
        String[] want = glibcOutput(name).split("\n", -1);
        String[] got = actual.split("\n", -1);
        for (int i = 0; i < Math.max(want.length, got.length); i++) {
            String w = i < want.length ? want[i] : "<missing>";
            String g = i < got.length ? got[i] : "<missing>";
            String regex = Pattern.quote(w).replace("<any>", "\\E\\S+\\Q");
            assertThat(g).as("line %d of %s, compared with glibc 2.36's run of its C twin", i + 1, name)
                    .matches(Pattern.compile(regex));
        }
    }

    /** "0x5555555592a0" for heap+0x2a0. */
    static String heapPtr(long offset) {
        return "0x" + Long.toHexString(HEAP + offset);
    }
}
