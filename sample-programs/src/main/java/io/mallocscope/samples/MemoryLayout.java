package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import java.nio.charset.StandardCharsets;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * The map of a process: where code, globals, the heap, mappings and the stack live.
 *
 * <p>What to notice:
 * a) addresses rise from the program's code (.text) through its initialised globals (.data) and its
 *    zeroed globals (.bss) to the heap, which starts at the initial program break, the page after .bss;
 * b) the first {@code malloc} moves the break up by 0x21000 (132 KiB: the request, the 0x290 tcache
 *    chunk and 128 KiB of top pad), and hands out break+0x2a0;
 * c) a 1 MiB request is far above the 128 KiB mmap threshold, so it gets its own mapping, high up
 *    below the shared libraries, and the break does not move; the stack is higher still.
 *
 * <p>Run: {@code ./mallocscope run memory-layout}
 */
@Sample(name = "memory-layout", description = "where .text, .data, .bss, the heap, mmap'd chunks and the stack live")
public final class MemoryLayout implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long mainFn = c.function("main");
        long greeting = c.global("greeting", "hello\0".getBytes(StandardCharsets.US_ASCII));
        long counter = c.global("counter", 8);
        long buffer = c.local(32);

        c.printf("initial break       %p\n", heap);
        long small = c.malloc(16);
        long brkAfterSmall = c.sbrk(0);
        long big = c.malloc(1 << 20);
        long brkAfterBig = c.sbrk(0);

        c.printf(".text  main         %p\n", mainFn);
        c.printf(".data  greeting     %p\n", greeting);
        c.printf(".bss   counter      %p\n", counter);
        c.printf("heap   malloc(16)   %p  (break+0x%lx)\n", small, small - heap);
        c.printf("break after it      %p  (break+0x%lx)\n", brkAfterSmall, brkAfterSmall - heap);
        c.printf("mmap   malloc(1MiB) %p  (chunk size word 0x%lx)\n", big, c.getLong(big - 8));
        c.printf("break after it      %p  (unchanged: %s)\n", brkAfterBig, brkAfterBig == brkAfterSmall ? "yes" : "no");
        c.printf("stack  char buf[32] %p\n", buffer);
        c.free(big);
        c.free(small);
        return 0;
    }
}
