package io.mallocscope.samples;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.mallocscope.samples.SampleRun.assertMatchesGlibc;
import static io.mallocscope.samples.SampleRun.runExpectingDeclaredStatus;
import static org.assertj.core.api.Assertions.assertThat;

/** The samples glibc stops: same output as real glibc up to the abort, glibc's message, status 134. */
class ErrorSamplesTest {

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of(DoubleFreeTcache.class, "double-free-tcache", "free(): double free detected in tcache 2"),
                Arguments.of(DoubleFreeFasttop.class, "double-free-fasttop", "double free or corruption (fasttop)"),
                Arguments.of(InvalidPointer.class, "invalid-pointer", "free(): invalid pointer"),
                Arguments.of(InvalidSize.class, "invalid-size", "free(): invalid size"),
                Arguments.of(CorruptedTopSize.class, "corrupted-top-size", "malloc(): corrupted top size"),
                Arguments.of(UseAfterFreeTcache.class, "use-after-free-tcache", "malloc(): unaligned tcache chunk detected"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("errors")
    void abortsWithGlibcsMessage(Class<? extends CProgram> sample, String name, String message) {
        CProcess.Captured r = runExpectingDeclaredStatus(sample);
        assertThat(sample.getAnnotation(Sample.class).expectedStatus()).isEqualTo(134);
        assertThat(r.status().aborted()).isTrue();
        assertThat(r.stderr()).startsWith(message + "\n").contains("Aborted");
        assertThat(r.stdout()).doesNotContain("not reached");
        assertMatchesGlibc(r.stdout(), name);
    }
}
