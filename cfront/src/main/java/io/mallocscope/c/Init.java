package io.mallocscope.c;

import java.util.ArrayList;
import java.util.List;

/** An initializer flattened to stores: each scalar at its offset; the rest of the object is zero. */
final class Init {
    /** One store; a bit-field's has its {@code width} (else -1) and first {@code bit}. */
    record Item(long offset, CType type, Expr value, byte[] bytes, int width, int bit) {
        Item(long offset, CType type, Expr value, byte[] bytes) {
            this(offset, type, value, bytes, -1, 0);
        }
    }

    final List<Item> items = new ArrayList<>();
    /** A braced or string initializer: members not named are zero (gcc -O0 zeroes, then stores). */
    boolean aggregate;

    /**
     * Runs the stores for an object at {@code base}: as the program's writes (through LibC, recorded)
     * when {@code recorded}, else straight into memory (a register-like local, an image's data).
     */
    void apply(Frame f, long base, long size, boolean recorded) {
        if (aggregate) {
            if (recorded) {
                f.m.libc.memset(base, 0, size);
            } else {
                f.mem.fill(base, 0, size);
                f.m.wroteDefined(base, size);
            }
        }
        apply(f, base, recorded, 0, null);
    }

    /** Re-enters the stores where a {@code fork()} in one of the values left them ({@link ForkPoint}). */
    void resume(Frame f, long base, long size, boolean recorded, ForkPoint k) {
        apply(f, base, recorded, k.pop(this).phase(), k);
    }

    private void apply(Frame f, long base, boolean recorded, int from, ForkPoint k) {
        for (int i = from; i < items.size(); i++) {
            Item it = items.get(i);
            ForkPoint resuming = k;
            k = null;
            try {
                store(f, base, recorded, it, resuming);
            } catch (ForkPoint p) {
                throw p.save(this, i);
            }
        }
    }

    private static long value(Frame f, Item it, ForkPoint k) {
        return k != null ? it.value.resume(f, k) : it.value.eval(f);
    }

    /**
     * One store; under memcheck the bytes it writes take its value's definedness (what the value's
     * expression loaded: {@link Frame#undefined}), as LibC's stores alone would make them defined.
     */
    private void store(Frame f, long base, boolean recorded, Item it, ForkPoint k) {
        if (!f.memcheck || it.bytes != null || it.type.isRecord()) {
            storeValue(f, base, recorded, it, k);
            if (f.memcheck && it.bytes != null) {
                f.m.wroteDefined(base + it.offset, it.bytes.length);
            }
            return;
        }
        boolean before = f.undefined;
        f.undefined = false;
        storeValue(f, base, recorded, it, k);
        long n = it.width >= 0 ? (it.bit + it.width + 7) / 8 : Expr.valueBytes(it.type);
        f.m.mc.stored(base + it.offset, n, !f.undefined);
        f.undefined = before;
    }

    private void storeValue(Frame f, long base, boolean recorded, Item it, ForkPoint k) {
        if (it.bytes != null) {
            if (recorded) {
                f.m.libc.writeBytes(base + it.offset, it.bytes);
            } else {
                f.mem.writeBytes(base + it.offset, it.bytes, 0, it.bytes.length);
            }
        } else if (it.width >= 0) {
            long v = value(f, it, k);
            Expr.BitField.store(f.mem, recorded ? f.m.libc : null, base + it.offset, it.bit, it.width,
                    it.type.k == CType.K.BOOL && v != 0 ? 1 : v);
        } else if (it.type.isRecord()) {
            long src = value(f, it, k);
            f.m.copy(base + it.offset, src, it.type.size);
        } else if (recorded) {
            Expr.put(f.m.libc, it.type, base + it.offset, value(f, it, k));
        } else {
            Expr.store(f.mem, it.type, base + it.offset, value(f, it, k));
        }
    }
}
