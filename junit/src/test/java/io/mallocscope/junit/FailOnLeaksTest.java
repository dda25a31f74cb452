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
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        Throwable failure = summary.getFailures().get(0).getException();
        assertThat(failure).hasMessageStartingWith("the test leaked memory:")
                .hasMessageContaining("32 bytes in 1 blocks are definitely lost")
                .hasMessageContaining("FailOnLeaksTest$Leaky.leaks(FailOnLeaksTest.java:");
    }

    @SimulatedProcess(failOnLeaks = true)
    static class Leaky {
        @Test
        void leaks(Heap heap) {
            heap.malloc(32);
        }

        @Test
        void cleansUp(LibC c) {
            c.free(c.malloc(32));
        }
    }
}
