package io.mallocscope.runtime.vm;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static io.mallocscope.runtime.vm.AddressSpace.PAGE_SIZE;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_READ;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_WRITE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mapping bookkeeping (the gap index behind the top-down search, the map count, the mapped
 * total, lookups with many mappings) agrees with a plain walk over the regions after random edits.
 */
class MappingBookkeepingTest {
    private static final long LOW = 0x10000L;
    private static final long WINDOW = 0x7f0000000000L;

    @Test
    void gapIndexAgreesWithAWalkOverTheRegions() {
        Random r = new Random(42);
        AddressSpace as = new AddressSpace();
        Layout.populate(as, "t", KernelLayout.CLASSIC);
        for (int i = 0; i < 4000; i++) {
            long start = WINDOW + (r.nextInt(2000) * PAGE_SIZE);
            long end = start + (1 + r.nextInt(8)) * PAGE_SIZE;
            switch (r.nextInt(3)) {
                case 0 -> as.map(start, end, r.nextBoolean() ? PROT_READ : PROT_READ | PROT_WRITE, r.nextInt(4) == 0 ? "x" : "");
                case 1 -> as.unmap(start, end);
                default -> as.protect(start, end, r.nextBoolean() ? PROT_READ : PROT_READ | PROT_WRITE);
            }
            long len = (1 + r.nextInt(6)) * PAGE_SIZE;
            long high = WINDOW + (r.nextInt(2100) * PAGE_SIZE);
            assertThat(as.findFreeTopDown(len, LOW, high)).as("step %d: %d bytes below 0x%x", i, len, high)
                    .isEqualTo(walk(as.regions(), len, LOW, high));
            assertThat(as.findFreeTopDown(len, WINDOW + 500 * PAGE_SIZE, high))
                    .isEqualTo(walk(as.regions(), len, WINDOW + 500 * PAGE_SIZE, high));
            long probe = WINDOW + r.nextInt(2100 * (int) PAGE_SIZE);
            Region expected = as.regions().stream().filter(x -> x.contains(probe)).findFirst().orElse(null);
            assertThat(as.regionAt(probe)).isEqualTo(expected);
        }
        List<Region> all = as.regions();
        assertThat(all.size()).as("enough mappings to leave the small-index path").isGreaterThan(64);
        assertThat(as.mapCount()).isEqualTo(all.size() - 1); // [vsyscall] is not a mapping the kernel counts
        assertThat(as.mappedTotal()).isEqualTo(as.mappedBytes(0, AddressSpace.USER_END));
    }

    /** The highest free page-aligned start of len bytes in [low, high), by walking every region. */
    private static long walk(List<Region> regions, long len, long low, long high) {
        long gapEnd = high;
        for (int i = regions.size() - 1; i >= 0; i--) {
            Region x = regions.get(i);
            if (Long.compareUnsigned(x.start(), high) >= 0) {
                continue;
            }
            long regionEnd = Long.compareUnsigned(x.end(), high) < 0 ? x.end() : high;
            if (Long.compareUnsigned(regionEnd, gapEnd) < 0 && gapEnd - regionEnd >= len) {
                long c = gapEnd - len;
                return c >= low ? c : -1;
            }
            gapEnd = Math.min(gapEnd, x.start());
            if (gapEnd <= low) {
                return -1;
            }
        }
        return gapEnd - low >= len ? gapEnd - len : -1;
    }
}
