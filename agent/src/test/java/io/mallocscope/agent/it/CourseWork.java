package io.mallocscope.agent.it;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;

/** A user's own program: takes a LibC straight from CProcess.create() (no run()), exits with 3. */
public final class CourseWork {
    public static void main(String[] args) {
        LibC c = CProcess.create().libc();
        long a = c.malloc(40);
        c.putString(a, "coursework");
        long b = c.strdup(a);
        c.free(a);
        long d = c.calloc(4, 8);
        System.out.println("b=" + c.string(b) + " d=0x" + Long.toHexString(d));
        System.exit(3);
    }
}
