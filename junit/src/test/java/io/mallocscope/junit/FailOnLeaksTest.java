package io.mallocscope.junit;

import io.mallocscope.runtime.LibC;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/** Runs a small test class through the JUnit launcher to see failOnLeaks fail the leaking test only. */
class FailOnLeaksTest {

    @Test
    void aLeakingTestFailsWithTheLeakReport() {
        LauncherDiscoveryRequest req = request().selectors(selectClass(Leaky.class)).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(req, listener);
        TestExecutionSummary summary = listener.getSummary();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        Throwable failure = summary.getFailures().get(0).getException();
        assertThat(failure).hasMessageStartingWith("the test leaked memory:")
                .hasMessage("the test leaked memory:" + NL
                        + "32 bytes in 1 blocks are definitely lost in loss record 1 of 1" + NL
                        + "   at 0x5555555592a0: malloc (heap+0x2a0, chunk 0x30)" + NL
                        + "   by io.mallocscope.junit.FailOnLeaksTest$Leaky.leaks(FailOnLeaksTest.java:" + Leaky.line + ")" + NL
                        + "LEAK SUMMARY: definitely lost: 32 bytes in 1 blocks" + NL);
    }

    private static final String NL = System.lineSeparator();

    @SimulatedProcess(failOnLeaks = true)
    static class Leaky {
        static int line;

        @Test
        void leaks(LibC c) {
            c.malloc(32); line = StackWalker.getInstance().walk(s -> s.findFirst().orElseThrow().getLineNumber());
        }

        @Test
        void cleansUp(LibC c) {
            c.free(c.malloc(32));
        }

        @Test
        @SimulatedProcess(failOnLeaks = true, unbufferedStdout = false)
        void onlyPrints(LibC c, Heap heap) {
            c.printf("stdio keeps its buffer until exit\n"); // still allocated, not a leak
            assertThat(heap.stillAllocated()).hasSize(1);
        }
    }
}
