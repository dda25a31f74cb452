package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.vm.Region;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * The shared libraries in the memory-mapping segment, as {@code /proc/self/maps} lists them.
 *
 * <p>What to notice:
 * a) libc and the dynamic loader are file mappings: each segment maps part of the library file, at the
 *    offset in the fourth column;
 * b) each has a read-only header, code (r-x), read-only data and a writable part (rw-p), private to the
 *    process: main_arena and mp_ live in libc's;
 * c) the permissions come from the library's program headers, mapped segment by segment.
 *
 * <p>Run: {@code ./mallocscope run shared-libraries}
 */
@Sample(name = "shared-libraries", description = "libc and ld.so as file mappings in maps")
public final class SharedLibraries implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long p = c.malloc(24);
        c.printf("malloc(24) = heap+0x%lx: the heap is anonymous memory; the code and data of malloc are libc's:\n",
                p - heap);
        for (Region r : c.process().memory().regions()) {
            if (r.name().endsWith("/libc.so.6") || r.name().contains("/ld-linux-x86-64.so")) {
                c.printf("%s %08lx %lx %s\n", r.permissions(), r.offset(), r.size(), r.name());
            }
        }
        return 0;
    }
}
