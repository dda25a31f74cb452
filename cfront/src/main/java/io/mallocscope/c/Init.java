package io.mallocscope.c;

import java.util.ArrayList;
import java.util.List;

/** An initializer flattened to stores: each scalar at its offset; the rest of the object is zero. */
final class Init {
    record Item(long offset, CType type, Expr value, byte[] bytes) {
    }

    final List<Item> items = new ArrayList<>();
    /** A braced or string initializer: members not named are zero (gcc -O0 zeroes, then stores). */
    boolean aggregate;

    /** Runs the stores for an object at {@code base}. */
    void apply(Frame f, long base, long size) {
        if (aggregate) {
            f.mem.fill(base, 0, size);
        }
        for (Item it : items) {
            if (it.bytes != null) {
                f.mem.writeBytes(base + it.offset, it.bytes, 0, it.bytes.length);
            } else if (it.type.isRecord()) {
                long src = it.value.eval(f);
                f.m.copy(base + it.offset, src, it.type.size);
            } else {
                Expr.store(f.mem, it.type, base + it.offset, it.value.eval(f));
            }
        }
    }
}
