package io.mallocscope.cli.testing;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

/** Ends its JVM with status 0 as it is made, before a simulated process exists: nothing is recorded. */
public final class ExitsBeforeItsProcess implements CProgram {
    public ExitsBeforeItsProcess() {
        System.exit(0);
    }

    @Override
    public int main(LibC c, String[] argv) {
        return 0;
    }
}
