package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Malloc#binHolding}: the bin a free chunk is unlinked from when free merges it or realloc
 * grows into it, which the transition reports name (unlink_chunk itself does not know it).
 */
class BinHoldingTest {
    private final CProcess process = CProcess.create(ProcessOptions.defaults());
    private final LibC c = process.libc();
    private final Malloc m = process.malloc();

    /** A block of {@code size} chunk bytes with a guard after it, so that freeing it merges with nothing. */
    private long block(long chunkSize) {
        long p = c.malloc(chunkSize - 8);
        c.malloc(0x18); // the guard
        return p;
    }

    /** Seven blocks of {@code chunkSize} freed: its tcache bin is full. */
    private void fillTcache(long chunkSize) {
        long[] p = new long[7];
        for (int i = 0; i < p.length; i++) {
            p[i] = block(chunkSize);
        }
        for (long q : p) {
            c.free(q);
        }
    }

    @Test
    void aChunkFreedSinceTheLastSortIsInTheUnsortedBinWhateverItsSize() {
        long small = block(0x110);
        long large = block(0x510);
        fillTcache(0x110); // so that the next free of that size goes to a bin
        c.free(small);
        c.free(large);
        assertThat(m.binHolding(small - 16, 0x110)).isEqualTo(1);
        assertThat(m.binHolding(large - 16, 0x510)).isEqualTo(1);
        assertThat(Malloc.binKindAt(1)).isEqualTo(BinKind.UNSORTED);
        assertThat(Malloc.binKindAt(0)).isEqualTo(BinKind.NONE);
    }

    @Test
    void aSortedChunkIsInItsOwnSmallOrLargeBin() {
        long small = block(0x110);
        long large = block(0x510);
        fillTcache(0x110);
        c.free(small);
        c.free(large);
        c.malloc(0x1000); // the unsorted scan sorts both into their bins
        int smallIdx = MallocState.smallbinIndex(0x110);
        assertThat(m.binHolding(small - 16, 0x110)).isEqualTo(smallIdx).isEqualTo(17);
        assertThat(Malloc.binKindAt(smallIdx)).isEqualTo(BinKind.SMALLBIN);
        int largeIdx = m.binHolding(large - 16, 0x510);
        assertThat(largeIdx).isEqualTo(MallocState.binIndex(0x510)).isEqualTo(68);
        assertThat(Malloc.binKindAt(largeIdx)).isEqualTo(BinKind.LARGEBIN);
    }

    @Test
    void aChunkInTheMiddleOfALongListIsFoundFromEitherEnd() {
        long[] chunks = new long[40];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = block(0x510); // too big for the tcache
        }
        for (long p : chunks) {
            c.free(p);
        }
        for (long p : chunks) {
            assertThat(m.binHolding(p - 16, 0x510)).isEqualTo(1);
        }
    }

    @Test
    void aForgedChunkWhoseLinksLeadOutOfTheBinsIsInNoBin() {
        long a = c.malloc(0x18);
        long fake = a; // a chunk header forged in a's user data, linked to itself through a global-like word
        c.putLong(fake + 16, fake); // fd
        c.putLong(fake + 24, fake); // bk: a list of one that never reaches a bin header
        assertThat(m.binHolding(fake, 0x90)).isZero();
        c.putLong(fake + 16, 0x10); // a link into unmapped memory: not followed (a fault would be recorded)
        c.putLong(fake + 24, 0x10);
        assertThat(m.binHolding(fake, 0x510)).isZero();
        c.putLong(fake + 16, -8L); // a link whose fd and bk would wrap around the address space
        c.putLong(fake + 24, 0x7fffffffffffL & ~0xfL);
        assertThat(m.binHolding(fake, 0x510)).isZero();
    }
}
