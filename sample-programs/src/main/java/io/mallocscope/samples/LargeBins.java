package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Large bins: each holds a range of sizes, kept sorted, with a second list linking one chunk per size.
 *
 * <p>What to notice:
 * a) chunks of 0x420 and 0x430 share one large bin ([0x400, 0x440)), 0x450 goes to the next one;
 * b) inside the bin the chunks are sorted largest first: the bin's fd reaches 0x430, which leads to
 *    0x420; fd_nextsize/bk_nextsize link the first chunk of each size in a ring;
 * c) a request for exactly 0x420 is served best-fit: the 0x420 chunk, not the first (bigger) one.
 *
 * <p>Run: {@code ./mallocscope run large-bins}
 */
@Sample(name = "large-bins", description = "large bins: size ranges, sorted, fd_nextsize/bk_nextsize")
public final class LargeBins implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        long heap = c.sbrk(0);
        long s420 = c.malloc(0x418);
        c.malloc(24);
        long s430 = c.malloc(0x428);
        c.malloc(24);
        long s450 = c.malloc(0x448);
        c.malloc(24);
        c.free(s420);
        c.free(s430);
        c.free(s450);
        c.malloc(0x1000);
        c.printf("0x420 at break+0x%lx, 0x430 at break+0x%lx, 0x450 at break+0x%lx\n", s420 - 16 - heap,
                s430 - 16 - heap, s450 - 16 - heap);
        long bin = c.getLong(s420);
        c.printf("bin fd -> 0x430: %s; 0x430 fd -> 0x420: %s; 0x420 fd -> bin: %s\n",
                c.getLong(bin + 0x10) == s430 - 16 ? "yes" : "no", c.getLong(s430) == s420 - 16 ? "yes" : "no",
                c.getLong(s420 + 8) == s430 - 16 && c.getLong(s420) == bin ? "yes" : "no");
        c.printf("0x430 fd_nextsize -> 0x420: %s; 0x420 fd_nextsize -> 0x430: %s\n",
                c.getLong(s430 + 16) == s420 - 16 ? "yes" : "no", c.getLong(s420 + 16) == s430 - 16 ? "yes" : "no");
        long bin450 = c.getLong(s450);
        c.printf("0x450 is alone in the next bin, 0x10 further: %s\n", bin450 == bin + 0x10 ? "yes" : "no");
        long p = c.malloc(0x418);
        c.printf("malloc(0x418) = break+0x%lx (best fit)\n", p - heap);
        return 0;
    }
}
