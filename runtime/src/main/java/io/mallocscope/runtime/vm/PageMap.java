package io.mallocscope.runtime.vm;

import java.util.Arrays;
import java.util.function.LongPredicate;

/** Open-addressing map from page number to the page's bytes; no boxing on the lookup path. */
final class PageMap {
    private static final long EMPTY = -1L;

    private long[] keys = new long[1024];
    private byte[][] values = new byte[1024][];
    private int size;

    PageMap() {
        Arrays.fill(keys, EMPTY);
    }

    int size() {
        return size;
    }

    byte[] get(long page) {
        int mask = keys.length - 1;
        int i = hash(page) & mask;
        while (true) {
            long k = keys[i];
            if (k == page) {
                return values[i];
            }
            if (k == EMPTY) {
                return null;
            }
            i = (i + 1) & mask;
        }
    }

    void put(long page, byte[] data) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = hash(page) & mask;
        while (keys[i] != EMPTY && keys[i] != page) {
            i = (i + 1) & mask;
        }
        if (keys[i] == EMPTY) {
            size++;
        }
        keys[i] = page;
        values[i] = data;
    }

    void remove(long page) {
        int mask = keys.length - 1;
        int i = hash(page) & mask;
        while (keys[i] != page) {
            if (keys[i] == EMPTY) {
                return;
            }
            i = (i + 1) & mask;
        }
        // backward-shift deletion keeps every probe chain unbroken
        int gap = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (keys[j] == EMPTY) {
                break;
            }
            int home = hash(keys[j]) & mask;
            boolean movable = gap <= j ? (home <= gap || home > j) : (home <= gap && home > j);
            if (movable) {
                keys[gap] = keys[j];
                values[gap] = values[j];
                gap = j;
            }
        }
        keys[gap] = EMPTY;
        values[gap] = null;
        size--;
    }

    /** Removes every page whose number satisfies the predicate. */
    void removeIf(LongPredicate doomed) {
        long[] oldKeys = keys;
        byte[][] oldValues = values;
        keys = new long[oldKeys.length];
        values = new byte[oldKeys.length][];
        Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY && !doomed.test(oldKeys[i])) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    void forEach(java.util.function.BiConsumer<Long, byte[]> action) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                action.accept(keys[i], values[i]);
            }
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        byte[][] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new byte[oldKeys.length * 2][];
        Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    private static int hash(long page) {
        long h = page * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
