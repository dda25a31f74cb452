package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.MAP_ANONYMOUS;
import static io.mallocscope.runtime.LibC.MAP_PRIVATE;
import static io.mallocscope.runtime.LibC.MAP_SHARED;
import static io.mallocscope.runtime.LibC.PROT_READ;
import static io.mallocscope.runtime.LibC.PROT_WRITE;
import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Parent and child talking through a shared anonymous mapping and a pipe.
 *
 * <p>What to notice:
 * a) after {@code fork}, a {@code MAP_SHARED} mapping is the same memory in both processes, while a
 *    {@code MAP_PRIVATE} one becomes two copies;
 * b) {@code read} on an empty pipe waits until the other end writes (here: the child runs while the
 *    parent waits);
 * c) once every write end is closed, {@code read} returns 0: end of file.
 *
 * <p>Run: {@code ./mallocscope run fork-shared-memory}
 */
@Sample(name = "fork-shared-memory", description = "parent and child sharing a MAP_SHARED mapping and a pipe")
public final class ForkSharedMemory implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long shared = c.mmap(LibC.NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        long priv = c.mmap(LibC.NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        long fds = c.malloc(8);
        c.pipe(fds);
        int rd = c.getInt(fds);
        int wr = c.getInt(fds + 4);

        int pid = c.fork(child -> {
            child.close(rd);
            child.strcpy(shared, "written by the child");
            child.strcpy(priv, "the child's own copy");
            child.write(wr, child.strdup("ready"), 5);
            child.close(wr);
            return 3;
        });

        c.close(wr);
        long buf = c.calloc(1, 16);
        long n = c.read(rd, buf, 15);
        c.printf("parent read %ld bytes from the pipe: %s\n", n, c.string(buf));
        c.printf("the shared mapping holds:  \"%s\"\n", c.string(shared));
        c.printf("the private mapping holds: \"%s\"\n", c.string(priv));
        long st = c.malloc(4);
        c.waitpid(pid, st, 0);
        int s = c.getInt(st);
        c.printf("the child exited: %s, status %d\n", LibC.WIFEXITED(s) ? "yes" : "no", LibC.WEXITSTATUS(s));
        c.printf("read after the child closed its end: %ld\n", c.read(rd, buf, 15));
        return 0;
    }
}
