package io.mallocscope.agent.it;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;

/**
 * Three simulated processes one after the other, as a test class's three tests make them: the first
 * two named as mallocscope-junit names them ({@code mallocscope.recording.name} set while the process
 * is made), the third not.
 */
public final class ThreeTests {
    public static void main(String[] args) {
        for (int i = 1; i <= 3; i++) {
            if (i < 3) {
                System.setProperty("mallocscope.recording.name", "ListTest.test" + i);
            } else {
                System.clearProperty("mallocscope.recording.name");
            }
            LibC c = CProcess.create().libc();
            for (int k = 0; k < i; k++) {
                c.malloc(24 * i);
            }
        }
    }
}
