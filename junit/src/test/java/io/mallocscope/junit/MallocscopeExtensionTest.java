package io.mallocscope.junit;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.malloc.BinKind;
import io.mallocscope.runtime.vm.Layout;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static io.mallocscope.junit.HeapAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

@SimulatedProcess
class MallocscopeExtensionTest {

    @Test
    void theParametersShareOneFreshProcess(LibC c, CProcess process, Heap heap) {
        assertThat(c.process()).isSameAs(process);
        assertThat(heap.process()).isSameAs(process);
        assertThat(heap.start()).isEqualTo(Layout.INITIAL_BRK);
        long p = c.malloc(24);
        assertThat(heap.offset(p)).isEqualTo(0x2a0);
    }

    @Test
    void eachTestGetsItsOwnProcess(LibC c, Heap heap) {
        c.malloc(100);
        assertThat(heap.offset(c.malloc(24))).isEqualTo(0x310);
    }

    @Test
    void stdoutIsUnbufferedByDefaultAndCaptured(LibC c, Heap heap, CapturedOutput output) {
        c.printf("hello %d\n", 42);
        assertThat(output.stdout()).isEqualTo("hello 42\n");
        assertThat(heap.offset(c.malloc(24))).isEqualTo(0x2a0);
    }

    @Test
    @SimulatedProcess(unbufferedStdout = false)
    void aBufferedStdoutTakesItsBufferFromTheHeap(LibC c, Heap heap) {
        c.printf("hello\n");
        assertThat(heap.offset(c.malloc(24))).isEqualTo(0x2a0 + 0x1010);
    }

    @Test
    @SimulatedProcess(tunables = "glibc.malloc.tcache_count=0")
    void aMethodAnnotationOverridesTheClassOne(LibC c, Heap heap) {
        long a = c.malloc(24);
        c.free(a);
        assertThat(heap).bin(BinKind.TCACHE, 0x20).isEmpty();
        assertThat(heap).bin(BinKind.FASTBIN, 0x20).containsExactly(a);
    }

    @Test
    @SimulatedProcess(glibc = "2.36", programName = "exercise1")
    void theProfileAndProgramNameAreSet(CProcess process, LibC c, CapturedOutput output) {
        assertThat(process.options().glibc()).isEqualTo("2.36");
        try {
            c.assertTrue(false, "p != NULL");
        } catch (RuntimeException aborted) {
            // the simulated SIGABRT
        }
        assertThat(output.stderr()).startsWith("exercise1: MallocscopeExtensionTest.java:");
    }

    @Nested
    class InANestedClass {
        @Test
        void theOuterAnnotationApplies(LibC c, Heap heap) {
            assertThat(heap.offset(c.malloc(24))).isEqualTo(0x2a0);
        }
    }
}
