package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * malloc after fork: each process has its own heap, arena and tcache.
 *
 * <p>What to notice:
 * a) the child starts with a copy of the parent's heap: the parent's block is there, with its bytes;
 * b) the child's malloc and free change only the child's copy: its first malloc gets the address the
 *    parent's next malloc will also get;
 * c) the parent's block keeps the parent's bytes, whatever the child stored at the same address.
 *
 * <p>Run: {@code ./mallocscope run malloc-after-fork}
 */
@Sample(name = "malloc-after-fork", description = "malloc in a forked child changes only the child's heap")
public final class MallocAfterFork implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long a = c.malloc(24);
        c.strcpy(a, "parent data");
        c.printf("parent: a = heap+0x%lx holds \"%s\"\n", a - heap, c.string(a));

        int pid = c.fork(child -> {
            child.printf("child:  a = heap+0x%lx holds \"%s\" (a copy)\n", a - heap, child.string(a));
            long b = child.malloc(24);
            child.printf("child:  b = malloc(24) = heap+0x%lx\n", b - heap);
            child.free(a);
            long again = child.malloc(24);
            child.strcpy(again, "child data");
            child.printf("child:  freed a; malloc(24) = heap+0x%lx again, now \"%s\"\n", again - heap,
                    child.string(again));
            return 0;
        });
        c.waitpid(pid, LibC.NULL, 0);

        long b = c.malloc(24);
        c.printf("parent: b = malloc(24) = heap+0x%lx, the address the child's b had\n", b - heap);
        c.printf("parent: a still holds \"%s\"\n", c.string(a));
        return 0;
    }
}
