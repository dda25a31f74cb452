package io.mallocscope.runtime.vm;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The open-addressing page table against java.util.HashMap, with deletions that shift probe chains. */
class PageMapTest {

    @Test
    void randomPutsRemovesAndBulkRemovalsAgreeWithAHashMap() {
        PageMap pages = new PageMap();
        Map<Long, byte[]> model = new HashMap<>();
        Random rnd = new Random(7);
        // page numbers from a few dense clusters (heap, mmap area, stack, kernel) so that probe chains form
        long[] bases = {0x555555559L, 0x7ffff7dd0L - 5000, 0x7ffffffdeL, 0xffffffffff600L};
        for (int step = 0; step < 200_000; step++) {
            long page = bases[rnd.nextInt(bases.length)] + rnd.nextInt(6000);
            int op = rnd.nextInt(10);
            if (op < 5) {
                byte[] data = new byte[1];
                pages.put(page, data);
                model.put(page, data);
            } else if (op < 9) {
                pages.remove(page);
                model.remove(page);
            } else if (step % 1000 == 0) {
                long from = page;
                long to = page + rnd.nextInt(3000);
                pages.removeIf(p -> Long.compareUnsigned(p, from) >= 0 && Long.compareUnsigned(p, to) < 0);
                model.keySet().removeIf(p -> Long.compareUnsigned(p, from) >= 0 && Long.compareUnsigned(p, to) < 0);
            }
            long probe = bases[rnd.nextInt(bases.length)] + rnd.nextInt(6000);
            assertThat(pages.get(probe)).as("page %x at step %d", probe, step).isSameAs(model.get(probe));
        }
        assertThat(pages.size()).isEqualTo(model.size());
        for (Map.Entry<Long, byte[]> e : model.entrySet()) {
            assertThat(pages.get(e.getKey())).isSameAs(e.getValue());
        }
        Map<Long, byte[]> seen = new HashMap<>();
        pages.forEach(seen::put);
        assertThat(seen).isEqualTo(model);
    }

    @Test
    void replacingAKeyKeepsTheSize() {
        PageMap pages = new PageMap();
        byte[] a = new byte[1];
        byte[] b = new byte[1];
        pages.put(42, a);
        pages.put(42, b);
        assertThat(pages.size()).isEqualTo(1);
        assertThat(pages.get(42)).isSameAs(b);
        pages.remove(42);
        pages.remove(42);
        assertThat(pages.size()).isZero();
        assertThat(pages.get(42)).isNull();
    }
}
