package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The release-dependent facts HeapView answers: arena layout, bin geometry, link decoding, walk problems. */
class HeapViewLayoutTest {
    static CheckedHeap heap(String version) {
        return new CheckedHeap(ProcessOptions.defaults().withGlibc(version));
    }

    @ParameterizedTest(name = "glibc {0}: a lone unsorted chunk's fd/bk = main_arena+{1}")
    @CsvSource({"2.23, 0x58", "2.27, 0x60", "2.31, 0x60", "2.36, 0x60", "2.41, 0x60", "2.43, 0x08"})
    void unsortedChunkPointsAtTheArenaPseudoChunk(String version, String offset) {
        CheckedHeap h = heap(version);
        long a = h.malloc(0x500);
        h.malloc(24);
        h.free(a);
        HeapView v = h.view();
        long expected = v.mainArena() + Long.decode(offset);
        assertThat(h.c.getLong(h.base + a)).isEqualTo(expected);     // fd
        assertThat(h.c.getLong(h.base + a + 8)).isEqualTo(expected); // bk
        assertThat(v.binAt(1)).isEqualTo(expected);
        // the small bin for 0x90 is bin 9: eight pseudo-chunks further
        assertThat(v.binAt(9)).isEqualTo(expected + 8 * 0x10);
        assertThat(h.c.getLong(v.binAt(9) + 16)).isEqualTo(v.binAt(9)); // empty bin points at itself
        assertThat(v.top()).isEqualTo(h.view().chunks().get(h.view().chunks().size() - 1).address());
    }

    @Test
    void glibc223KeepsHaveFastchunksAsAnInvertedFlagBit() {
        CheckedHeap h = heap("2.23");
        long a = h.malloc(24);
        h.malloc(24);
        HeapView v = h.view();
        assertThat(h.c.getInt(v.mainArena() + 4) & 1).isEqualTo(1); // FASTCHUNKS_BIT: no fast chunks
        assertThat(v.haveFastchunks()).isFalse();
        h.free(a);
        v = h.view();
        assertThat(h.c.getInt(v.mainArena() + 4) & 1).isZero();
        assertThat(v.haveFastchunks()).isTrue();
        assertThat(h.c.getLong(v.fastbinSlot(0))).isEqualTo(h.base + a - 16);
        assertThat(v.fastbinSlot(0)).isEqualTo(v.mainArena() + 8);
        h.malloc(0x500); // a large request consolidates
        v = h.view();
        assertThat(v.haveFastchunks()).isFalse();
        assertThat(h.c.getInt(v.mainArena() + 4) & 1).isEqualTo(1);
    }

    @Test
    void fastbinSlotsFollowTheLayout() {
        CheckedHeap h = heap("2.36");
        h.malloc(1);
        assertThat(h.view().fastbinSlot(9)).isEqualTo(h.view().mainArena() + 0x10 + 9 * 8);
        CheckedHeap n = heap("2.43");
        n.malloc(1);
        HeapView v = n.view();
        assertThatThrownBy(() -> v.fastbinSlot(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("glibc 2.43 has no fastbins");
        assertThat(v.binIndexOf(BinKind.FASTBIN, 0x20)).isEqualTo(-1);
        assertThat(v.haveFastchunks()).isFalse();
    }

    @Test
    void binGeometryOf236() {
        HeapView v = heap("2.36").view();
        assertThat(v.binIndexOf(BinKind.TCACHE, 0x20)).isZero();
        assertThat(v.binIndexOf(BinKind.TCACHE, 0x410)).isEqualTo(63);
        assertThat(v.binIndexOf(BinKind.TCACHE, 0x420)).isEqualTo(-1);
        assertThat(v.binIndexOf(BinKind.FASTBIN, 0xb0)).isEqualTo(9);
        assertThat(v.binIndexOf(BinKind.FASTBIN, 0xc0)).isEqualTo(-1);
        assertThat(v.binIndexOf(BinKind.SMALLBIN, 0x3f0)).isEqualTo(63);
        assertThat(v.binIndexOf(BinKind.SMALLBIN, 0x400)).isEqualTo(-1);
        assertThat(v.binIndexOf(BinKind.LARGEBIN, 0x3f0)).isEqualTo(-1);
        assertThat(v.binIndexOf(BinKind.LARGEBIN, 0x400)).isEqualTo(64);
        assertThat(v.binIndexOf(BinKind.LARGEBIN, 0x520)).isEqualTo(68);
        assertThat(v.binIndexOf(BinKind.UNSORTED, 0x12340)).isEqualTo(1);
        assertThat(v.binIndexOf(BinKind.SMALLBIN, 0x18)).isEqualTo(-1);
        assertThat(v.binIndexOf(BinKind.SMALLBIN, 0x28)).isEqualTo(-1);

        assertThat(v.binLowestSize(BinKind.LARGEBIN, 68)).isEqualTo(0x500);
        assertThat(v.binHighestSize(BinKind.LARGEBIN, 68)).isEqualTo(0x530);
        assertThat(v.binLowestSize(BinKind.LARGEBIN, 96)).isEqualTo(0xc00);
        assertThat(v.binHighestSize(BinKind.LARGEBIN, 96)).isEqualTo(0xc30);
        assertThat(v.binLowestSize(BinKind.LARGEBIN, 97)).isEqualTo(0xc40);
        assertThat(v.binHighestSize(BinKind.LARGEBIN, 97)).isEqualTo(0xdf0);
        assertThat(v.binLowestSize(BinKind.LARGEBIN, 125)).isEqualTo(0x40000);
        assertThat(v.binHighestSize(BinKind.LARGEBIN, 125)).isEqualTo(0x7fff0);
        assertThat(v.binLowestSize(BinKind.LARGEBIN, 126)).isEqualTo(0x80000);
        assertThat(v.binHighestSize(BinKind.LARGEBIN, 126)).isEqualTo(HeapView.UNBOUNDED_SIZE);
        assertThat(v.binLowestSize(BinKind.SMALLBIN, 9)).isEqualTo(0x90);
        assertThat(v.binHighestSize(BinKind.TCACHE, 63)).isEqualTo(0x410);
        assertThat(v.binLowestSize(BinKind.UNSORTED, 1)).isEqualTo(0x20);
        assertThat(v.binHighestSize(BinKind.UNSORTED, 1)).isEqualTo(HeapView.UNBOUNDED_SIZE);
        assertThatThrownBy(() -> v.binLowestSize(BinKind.LARGEBIN, 63)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("glibc 2.36 has no largebin bin 63");
        assertThatThrownBy(() -> v.binLowestSize(BinKind.TCACHE, 64)).isInstanceOf(IllegalArgumentException.class);

        // every large size lies inside the range of the bin binIndexOf names, and ranges tile without gaps
        for (long s = 0x400; s < 0x80000; s += 0x10) {
            int i = v.binIndexOf(BinKind.LARGEBIN, s);
            assertThat(s).isBetween(v.binLowestSize(BinKind.LARGEBIN, i), v.binHighestSize(BinKind.LARGEBIN, i));
        }
        assertThat(v.binIndexOf(BinKind.LARGEBIN, 0x80000)).isEqualTo(126);
        assertThat(v.binIndexOf(BinKind.LARGEBIN, 0x7fffffff0L)).isEqualTo(126);
        for (int i = 64; i < 126; i++) {
            assertThat(v.binLowestSize(BinKind.LARGEBIN, i + 1)).isEqualTo(v.binHighestSize(BinKind.LARGEBIN, i) + 0x10);
        }
    }

    @Test
    void binGeometryFollowsTheRelease() {
        HeapView v243 = heap("2.43").view();
        assertThat(v243.binIndexOf(BinKind.TCACHE, 0x410)).isEqualTo(63);
        assertThat(v243.binIndexOf(BinKind.TCACHE, 0x420)).isEqualTo(64);
        assertThat(v243.binIndexOf(BinKind.TCACHE, 0x7f0)).isEqualTo(64);
        assertThat(v243.binIndexOf(BinKind.TCACHE, 0x800)).isEqualTo(65);
        assertThat(v243.binIndexOf(BinKind.TCACHE, 0x3ffff0)).isEqualTo(75);
        assertThat(v243.binIndexOf(BinKind.TCACHE, 0x400000)).isEqualTo(-1);
        assertThat(v243.binLowestSize(BinKind.TCACHE, 64)).isEqualTo(0x420);
        assertThat(v243.binHighestSize(BinKind.TCACHE, 64)).isEqualTo(0x7f0);
        assertThat(v243.binLowestSize(BinKind.TCACHE, 75)).isEqualTo(0x200000);
        assertThat(v243.binHighestSize(BinKind.TCACHE, 75)).isEqualTo(0x3ffff0);
        HeapView v223 = heap("2.23").view();
        assertThat(v223.binIndexOf(BinKind.TCACHE, 0x20)).isEqualTo(-1);
        assertThat(v223.binIndexOf(BinKind.FASTBIN, 0x20)).isZero();
    }

    @Test
    void revealPointerRespectsSafeLinking() {
        for (String version : new String[] {"2.31", "2.36"}) {
            CheckedHeap h = heap(version);
            long a = h.malloc(24);
            long b = h.malloc(24);
            h.malloc(24);
            h.free(a);
            h.free(b);
            HeapView v = h.view();
            long storedAt = h.base + b;
            long stored = h.c.getLong(storedAt);
            assertThat(v.revealPointer(storedAt, stored)).as(version).isEqualTo(h.base + a);
            assertThat(v.protectPointer(storedAt, h.base + a)).as(version).isEqualTo(stored);
            if (version.equals("2.31")) {
                assertThat(stored).isEqualTo(h.base + a);
            } else {
                assertThat(stored).isEqualTo(((h.base + b) >>> 12) ^ (h.base + a));
            }
        }
    }

    @Test
    void poisonedTcacheLinkSpoilsTheBinNotTheChunkWalk() {
        CheckedHeap h = heap("2.36");
        long a = h.c.malloc(24);
        long b = h.c.malloc(24);
        h.c.malloc(24);
        h.c.free(a);
        h.c.free(b);
        h.c.putLong(b, 0x4141414141414141L); // tcache-poisoning: the next word of the head entry
        HeapView v = h.view();
        HeapView.Bin tc = v.bins().get(0);
        assertThat(tc.kind()).isEqualTo(BinKind.TCACHE);
        assertThat(tc.chunks()).containsExactly(b - 16);
        assertThat(tc.corrupt()).isTrue();
        assertThat(tc.badLink()).isEqualTo(v.revealPointer(b, 0x4141414141414141L));
        assertThat(v.chunkWalkComplete()).isTrue();
        assertThat(v.chunkWalkProblem()).isEmpty();
        assertThat(v.chunks().get(v.chunks().size() - 1).state()).isEqualTo(HeapView.State.TOP);
        assertThat(v.corrupt()).isTrue(); // still "some walk was cut short"
    }

    @Test
    void aBrokenSizeStopsTheChunkWalkAndSaysWhere() {
        CheckedHeap h = heap("2.36");
        long a = h.c.malloc(24);
        long b = h.c.malloc(24);
        h.c.malloc(24);
        h.c.putLong(b - 8, 0x7);
        HeapView v = h.view();
        assertThat(v.chunkWalkComplete()).isFalse();
        assertThat(v.chunkWalkProblem()).contains("chunk 0x" + Long.toHexString(b - 16) + ": size 0x0 is not a valid chunk size");
        assertThat(v.bins()).allSatisfy(bin -> assertThat(bin.corrupt()).isFalse());
        assertThat(v.chunks()).extracting(HeapView.Chunk::address).contains(a - 16, b - 16);
    }

    @Test
    void binmapScanAndLargeBestFitTakeDifferentPaths() {
        assertThat(Transitions.BINMAP).isEqualTo(12);
        assertThat(Transitions.BEST_FIT).isEqualTo(3);
        assertThat(Transitions.TRIM).isEqualTo(11);
        assertThat(Transitions.reasonName(Transitions.BINMAP)).isEqualTo("binmap");
        assertThat(Transitions.reasonName(Transitions.BEST_FIT)).isEqualTo("best_fit");
        assertThat(Transitions.reasonName(13)).isEqualTo("?");

        // first-fit: the 0x520 chunk is sorted into large bin 68, then the binmap scan for a 0x200
        // (request2size(506)) request finds it, splits it and makes the remainder last_remainder
        CheckedHeap h = heap("2.36");
        long a = h.malloc(0x512);
        h.malloc(0x256);
        h.free(a);
        long c = h.malloc(506);
        assertThat(c).isEqualTo(a);
        HeapView v = h.view();
        assertThat(v.lastRemainder()).isEqualTo(h.base + a - 16 + 0x210);
        assertThat(v.binStateOf(h.base + a - 16 + 0x210)).isEqualTo(HeapView.State.UNSORTED);

        // a large request served from its own large bin: best fit, last_remainder untouched
        CheckedHeap g = heap("2.36");
        long x = g.malloc(0x512);
        g.malloc(24);
        g.free(x);
        g.malloc(0x600); // sorts x into large bin 68
        assertThat(g.view().binStateOf(g.base + x - 16)).isEqualTo(HeapView.State.LARGEBIN);
        long y = g.malloc(0x510);
        assertThat(y).isEqualTo(x);
        assertThat(g.view().lastRemainder()).isZero();
    }
}
