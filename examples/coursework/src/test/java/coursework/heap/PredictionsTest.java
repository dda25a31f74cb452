package coursework.heap;

import io.mallocscope.junit.Heap;
import io.mallocscope.junit.SimulatedProcess;
import io.mallocscope.runtime.LibC;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Grades exercise 1: each prediction is checked against a simulated glibc 2.36 process. */
@SimulatedProcess(glibc = "2.36")
class PredictionsTest {
    private static final String[] NAMES = {"a", "b", "d", "e", "f", "g", "h"};

    @Test
    void everyPredictionMatchesWhereGlibcPutsTheBlock(LibC c, Heap heap) {
        long[] predicted = Predictions.offsets();
        long[] pointers = AllocationPuzzle.run(c);
        assertEquals(pointers.length, predicted.length, "predict exactly " + pointers.length + " offsets");
        StringBuilder wrong = new StringBuilder();
        for (int i = 0; i < pointers.length; i++) {
            long actual = heap.offset(pointers[i]);
            if (actual != predicted[i]) {
                wrong.append(String.format("%n  %s: you predicted heap+0x%x, it landed at heap+0x%x", NAMES[i],
                        predicted[i], actual));
            }
        }
        assertEquals("", wrong.toString(), "some predictions are off:");
    }

    @Test
    void theFirstPredictionAloneIsWorthAPoint(LibC c, Heap heap) {
        assertEquals(heap.offset(AllocationPuzzle.run(c)[0]), Predictions.offsets()[0],
                "a = malloc(24) is the first allocation of the program");
    }
}
