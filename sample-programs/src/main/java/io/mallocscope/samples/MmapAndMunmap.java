package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.MAP_ANONYMOUS;
import static io.mallocscope.runtime.LibC.MAP_FAILED;
import static io.mallocscope.runtime.LibC.MAP_FIXED;
import static io.mallocscope.runtime.LibC.MAP_PRIVATE;
import static io.mallocscope.runtime.LibC.PROT_READ;
import static io.mallocscope.runtime.LibC.PROT_WRITE;
import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Anonymous mappings, without malloc: the system call malloc itself uses for big blocks.
 *
 * <p>What to notice:
 * a) {@code mmap} hands out whole pages, placed top-down below the shared libraries; a second mapping
 *    lands right below the first;
 * b) the memory is zero until written, and usable like any other;
 * c) after {@code munmap} the hole can be reused: a MAP_FIXED mapping at the same address gets fresh
 *    zeroed pages, not the old contents.
 *
 * <p>Run: {@code ./mallocscope run mmap-and-munmap}
 */
@Sample(name = "mmap-and-munmap", description = "anonymous mappings by hand: whole pages, top-down, zeroed")
public final class MmapAndMunmap implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long first = c.mmap(0, 0x3000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        long second = c.mmap(0, 100, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (first == MAP_FAILED || second == MAP_FAILED) {
            c.printf("mmap failed: %s\n", c.strerror(c.errno()));
            return 1;
        }
        c.printf("mmap(0x3000) = %p\n", first);
        c.printf("mmap(100)    = %p  (one page, 0x%lx below the first)\n", second, first - second);
        c.printf("fresh memory reads 0x%lx\n", c.getLong(first + 0x2ff8));
        c.strcpy(first, "kept in a private mapping");
        c.printf("wrote: %s\n", first);

        c.printf("munmap(first) = %d\n", c.munmap(first, 0x3000));
        long again = c.mmap(first, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        c.printf("mmap(MAP_FIXED at the old address) = %p, first byte now %d\n", again, c.getByte(again));
        c.munmap(again, 0x1000);
        c.munmap(second, 0x1000);
        return 0;
    }
}
