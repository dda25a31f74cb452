package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.signal.Abort;
import io.mallocscope.runtime.vm.Kernel;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What sets each glibc profile apart from 2.36, one behaviour per test, with the exact offsets and
 * messages of the versions fact sheet. 2.31, 2.41 and 2.43 are also checked against the real libraries
 * by the golden and differential tests; for 2.27 and 2.23, which cannot be run here, these tests (from
 * the source at their tags) are the only check.
 */
class VersionBehaviourTest {

    static CheckedHeap heap(String version) {
        return heap(version, "");
    }

    static CheckedHeap heap(String version, String tunables) {
        return new CheckedHeap(ProcessOptions.defaults().withGlibc(version).withTunables(tunables));
    }

    static String stderr(CheckedHeap h) {
        return h.err.toString(StandardCharsets.UTF_8);
    }

    @Nested
    class Glibc227 {
        @Test
        void smallerTcacheStructPutsTheFirstBlockAt0x260() {
            CheckedHeap h = heap("2.27");
            assertThat(h.malloc(24)).isEqualTo(0x260);
            assertThat(h.view().chunks().get(0).sizeField()).isEqualTo(0x251);
            assertThat(h.brk()).isEqualTo(0x21000);
        }

        @Test
        void tcacheDoubleFreeGoesUndetectedAndMallocReturnsTheChunkTwice() {
            CheckedHeap h = new CheckedHeap(ProcessOptions.defaults().withGlibc("2.27"));
            long a = h.c.malloc(24);
            h.c.free(a);
            h.c.free(a); // no key, no check: the entry now points to itself
            HeapView.Bin bin = h.view().bins().get(0);
            assertThat(bin.kind()).isEqualTo(BinKind.TCACHE);
            assertThat(bin.count()).isEqualTo(2);
            assertThat(h.c.getLong(a)).isEqualTo(a); // raw next pointer: no safe-linking
            assertThat(h.c.malloc(24)).isEqualTo(a);
            assertThat(h.c.malloc(24)).isEqualTo(a);
            assertThat(stderr(h)).isEmpty();
        }

        @Test
        void signedCharCountersStopABinAt128Entries() {
            CheckedHeap h = heap("2.27", "glibc.malloc.tcache_count=200");
            long[] p = new long[130];
            for (int i = 0; i < p.length; i++) {
                p[i] = h.c.malloc(24);
            }
            for (long x : p) {
                h.c.free(x);
            }
            HeapView v = h.view();
            assertThat(v.bins().get(0).chunks()).hasSize(128);
            assertThat(v.bins().get(0).count()).isEqualTo(-128);
            assertThat(v.bins().get(1).kind()).isEqualTo(BinKind.FASTBIN);
            assertThat(v.bins().get(1).chunks()).hasSize(2);
        }

        @Test
        void noTopSizeCheckAndNegativeRequestsLetTheHouseOfForceThrough() {
            CheckedHeap h = heap("2.27");
            long a = h.c.malloc(24);
            long top = a + 0x10;
            h.c.putLong(top + 8, -1L); // top "as large as memory"
            long evil = (h.base - top) - 0x10; // a "negative" request that wraps top round to the heap start
            assertThat(h.c.malloc(evil)).isEqualTo(top + 0x10);
            assertThat(h.c.malloc(24)).isEqualTo(h.base + 0x10); // on top of the tcache struct
            assertThat(stderr(h)).isEmpty();

            CheckedHeap h36 = heap("2.36");
            long b = h36.c.malloc(24);
            h36.c.putLong(b + 0x18, -1L);
            assertThat(h36.c.malloc((h36.base - b - 0x10) - 0x10)).isZero(); // above PTRDIFF_MAX: ENOMEM
            assertThatThrownBy(() -> h36.c.malloc(0x30000)).isInstanceOf(Abort.class)
                    .hasMessage("malloc(): corrupted top size");
        }

        @Test
        void unsortedCorruptionIsThePlainMemoryCorruptionMessage() {
            CheckedHeap h = heap("2.27");
            long a = h.c.malloc(0x500);
            h.c.malloc(24);
            h.c.free(a); // large: unsorted
            h.c.putLong(a - 8, 0x10); // size too small
            assertThatThrownBy(() -> h.c.malloc(0x600)).isInstanceOf(Abort.class)
                    .hasMessage("malloc(): memory corruption");
            assertThat(stderr(h)).isEqualTo("malloc(): memory corruption\n");
        }
    }

    @Nested
    class Glibc223 {
        @Test
        void noTcacheSoTheFirstBlockIsAtTheHeapStart() {
            CheckedHeap h = heap("2.23");
            assertThat(h.malloc(24)).isEqualTo(0x10);
            HeapView v = h.view();
            assertThat(v.tcache()).isZero();
            assertThat(h.c.getLong(v.top() + 8)).isEqualTo(0x20fe1);
            assertThat(h.brk()).isEqualTo(0x21000);
        }

        @Test
        void fastbinDoubleFreeIsCaughtOnlyAtTheTopOfTheBin() {
            CheckedHeap h = heap("2.23");
            long a = h.c.malloc(24);
            long b = h.c.malloc(24);
            h.c.free(a);
            h.c.free(b);
            h.c.free(a); // a is not at the top: the classic fastbin dup
            assertThat(h.c.malloc(24)).isEqualTo(a);
            assertThat(h.c.malloc(24)).isEqualTo(b);
            assertThat(h.c.malloc(24)).isEqualTo(a);

            CheckedHeap g = heap("2.23");
            long x = g.c.malloc(24);
            g.c.free(x);
            assertThatThrownBy(() -> g.c.free(x)).isInstanceOf(Abort.class)
                    .hasMessage("double free or corruption (fasttop)");
            assertThat(stderr(g)).isEqualTo("*** Error in `a.out': double free or corruption (fasttop): 0x"
                    + String.format("%016x", x) + " ***\n");
        }

        @Test
        void freedSmallChunksWaitInTheUnsortedBinUntilMallocSortsThem() {
            CheckedHeap h = heap("2.23");
            long a = h.c.malloc(0x100);
            h.c.malloc(24);
            h.c.free(a);
            HeapView v = h.view();
            assertThat(v.bins()).extracting(HeapView.Bin::kind).containsExactly(BinKind.UNSORTED);
            assertThat(v.binStateOf(a - 0x10)).isEqualTo(HeapView.State.UNSORTED);
            h.c.malloc(0x200); // the scan sorts a into its small bin, then takes top
            assertThat(h.view().binStateOf(a - 0x10)).isEqualTo(HeapView.State.SMALLBIN);
            assertThat(h.c.malloc(0x100)).isEqualTo(a); // exact fit from the small bin
        }

        @Test
        void glibcTunablesAreIgnoredButMallocEnvironmentVariablesApply() {
            CheckedHeap h = heap("2.23", "glibc.malloc.top_pad=0");
            h.malloc(24);
            assertThat(h.brk()).isEqualTo(0x21000);
            CheckedHeap e = heap("2.23", "MALLOC_TOP_PAD_=0");
            e.malloc(24);
            assertThat(e.brk()).isEqualTo(0x1000);
        }
    }

    @Nested
    class Glibc231 {
        @Test
        void glibcTunablesMoveTheBreakByTheLengthOfTheEntry() {
            // L = 16 + 27 = 43: first block 5 bytes further up, break after 0x21fd5 (fact sheet §1.1)
            CheckedHeap h = heap("2.31", "glibc.malloc.tcache_count=7");
            assertThat(h.process.kernel().currentBrk() - h.process.kernel().startBrk()).isEqualTo(43);
            assertThat(h.malloc(24)).isEqualTo(0x2a5);
            assertThat(h.brk()).isEqualTo(0x21fd5);
            assertThat(h.m.mallinfo2().arena()).isEqualTo(139221);
            CheckedHeap env = heap("2.31", "MALLOC_TOP_PAD_=131072"); // an environment alias: no copy
            assertThat(env.malloc(24)).isEqualTo(0x2a0);
            CheckedHeap h36 = heap("2.36", "glibc.malloc.tcache_count=7");
            assertThat(h36.malloc(24)).isEqualTo(0x2a0);
        }

        @Test
        void tcacheKeyIsTheStructPointerAndLinksAreRaw() {
            CheckedHeap h = heap("2.31");
            long a = h.c.malloc(24);
            long b = h.c.malloc(24);
            h.c.free(a);
            h.c.free(b);
            assertThat(h.c.getLong(b + 8)).isEqualTo(h.view().tcache());
            assertThat(h.c.getLong(b)).isEqualTo(a);
            assertThatThrownBy(() -> h.c.free(a)).isInstanceOf(Abort.class)
                    .hasMessage("free(): double free detected in tcache 2");
        }

        @Test
        void noAlignmentCheckOnTcacheEntries() {
            CheckedHeap h = heap("2.31");
            long a = h.c.malloc(24);
            long b = h.c.malloc(24);
            h.c.free(a);
            h.c.free(b);
            h.c.putLong(b, a + 8); // a misaligned next pointer, stored raw
            assertThat(h.c.malloc(24)).isEqualTo(b);
            assertThat(h.c.malloc(24)).isEqualTo(a + 8);

            CheckedHeap h36 = heap("2.36");
            long c = h36.c.malloc(24);
            long d = h36.c.malloc(24);
            h36.c.free(c);
            h36.c.free(d);
            h36.c.putLong(d, (d >>> 12) ^ (c + 8)); // the same, safe-linked
            assertThat(h36.c.malloc(24)).isEqualTo(d);
            assertThatThrownBy(() -> h36.c.malloc(24)).isInstanceOf(Abort.class)
                    .hasMessage("malloc(): unaligned tcache chunk detected");
        }

        @Test
        void mmapThresholdAbove32MiBIsRefused() {
            assertThat(heap("2.31").c.mallopt(Mallopt.M_MMAP_THRESHOLD, 50000000)).isZero();
            assertThat(heap("2.36").c.mallopt(Mallopt.M_MMAP_THRESHOLD, 50000000)).isOne();
        }

        @Test
        void assertionsUseTheClassicFormatWithLineNumbers() {
            CheckedHeap h = heap("2.31");
            long a = h.c.malloc(24);
            h.c.putLong(a + 0x18, 0x21); // a tiny top whose end is not page aligned
            assertThatThrownBy(() -> h.c.malloc(0x100)).isInstanceOf(Abort.class);
            assertThat(stderr(h)).startsWith("a.out: malloc.c:2379: sysmalloc: Assertion `(old_top == initial_top (av)"
                    + " && old_size == 0) || ((unsigned long) (old_size) >= MINSIZE").endsWith("' failed.\n");
        }
    }

    @Nested
    class Glibc241 {
        @Test
        void callocTakesFromTheTcache() {
            CheckedHeap h = heap("2.41");
            long a = h.malloc(24);
            h.free(a);
            assertThat(h.calloc(1, 24)).isEqualTo(0x2a0);
            CheckedHeap h36 = heap("2.36");
            h36.free(h36.malloc(24));
            assertThat(h36.calloc(1, 24)).isEqualTo(0x2c0);
        }

        @Test
        void smallFreesGoToTheirSmallBinSoTheLastRemainderShortcutMissesThem() {
            // fact sheet §2.3, tunables tcache_count=0:mxfast=0
            for (String v : List.of("2.36", "2.41")) {
                CheckedHeap h = heap(v, "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0");
                long a0 = h.malloc(504);
                long g1 = h.malloc(24);
                h.malloc(24);
                long x = h.malloc(120);
                h.malloc(24);
                assertThat(x).isEqualTo(0x4e0);
                h.free(x);
                h.free(a0);
                assertThat(h.malloc(248)).isEqualTo(0x2a0);
                assertThat(h.malloc(56)).isEqualTo(0x3a0);
                h.free(g1);
                assertThat(h.malloc(72)).as(v).isEqualTo(v.equals("2.41") ? 0x4e0 : 0x3e0);
            }
        }

        @Test
        void aCorruptedSmallBinIsCaughtWhenTheNextSmallFreeIsBinned() {
            for (String v : List.of("2.36", "2.41")) {
                CheckedHeap h = heap(v, "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0");
                long a = h.c.malloc(0x80);
                h.c.malloc(24);
                long c = h.c.malloc(0x80);
                h.c.malloc(24);
                h.c.free(a); // 2.36: unsorted bin; 2.41: the 0x90 small bin
                h.c.putLong(a + 8, 0x4141414141414141L); // a's bk
                assertThatThrownBy(() -> h.c.free(c)).as(v).isInstanceOf(Abort.class)
                        .hasMessage(v.equals("2.41") ? "free(): chunks in smallbin corrupted"
                                : "free(): corrupted unsorted chunks");
            }
        }

        @Test
        void alignedAllocRejectsAnAlignmentThatIsNotAPowerOfTwo() {
            CheckedHeap h = heap("2.41");
            assertThat(h.c.aligned_alloc(24, 10)).isZero();
            assertThat(h.c.errno()).isEqualTo(Kernel.EINVAL);
            assertThat(heap("2.36").c.aligned_alloc(24, 10)).isNotZero();
        }

        @Test
        void assertionsUseTheFatalErrorFormatWithLineNumbers() {
            CheckedHeap h = heap("2.41");
            long a = h.c.malloc(24);
            h.c.putLong(a + 0x18, 0x21);
            assertThatThrownBy(() -> h.c.malloc(0x100)).isInstanceOf(Abort.class);
            assertThat(stderr(h)).startsWith("Fatal glibc error: malloc.c:2601 (sysmalloc): assertion failed: "
                    + "(old_top == initial_top (av) && old_size == 0)");
        }
    }

    @Nested
    class Glibc243 {
        @Test
        void theTcacheStructAppearsAtTheFirstFree() {
            // fact sheet §3.1 first example, with the golden file's correction (+0x350)
            CheckedHeap h = heap("2.43");
            long a = h.malloc(24);
            assertThat(a).isEqualTo(0x10);
            assertThat(h.malloc(24)).isEqualTo(0x30);
            assertThat(h.view().tcache()).isZero();
            h.free(a);
            assertThat(h.view().tcache() - h.base).isEqualTo(0x50);
            assertThat(h.sizeWord(0x50)).isEqualTo(0x301);
            assertThat(h.malloc(24)).isEqualTo(0x10);
            assertThat(h.malloc(24)).isEqualTo(0x350);
        }

        @Test
        void anExactFitInsideMallocMakesTheStructFromTheRoundedSize() {
            CheckedHeap h = heap("2.43");
            long a = h.malloc(2000);
            assertThat(a).isEqualTo(0x10);
            assertThat(h.malloc(24)).isEqualTo(0x7f0);
            h.free(a); // 0x7e0: too big for the tcache, which stays unmade
            assertThat(h.view().tcache()).isZero();
            assertThat(h.malloc(2000)).isEqualTo(0x10);
            assertThat(h.sizeWord(0x810)).isEqualTo(0x311);
            assertThat(h.malloc(24)).isEqualTo(0xb20);
        }

        @Test
        void sixteenEntriesPerBinAndNoFastbins() {
            CheckedHeap h = heap("2.43");
            long[] c = new long[9];
            for (int i = 0; i < 9; i++) {
                c[i] = h.c.malloc(40);
            }
            for (long p : c) {
                h.c.free(p);
            }
            for (int i = 8; i >= 0; i--) {
                assertThat(h.c.malloc(40)).isEqualTo(c[i]);
            }
            assertThat(h.m.mallinfo2().fsmblks()).isZero();
        }

        @Test
        void mmappedChunksLeaveSixteenBytesOutOfTheSizeWord() {
            CheckedHeap h = heap("2.43");
            long p = h.c.malloc(200000);
            assertThat(h.c.getLong(p - 8)).isEqualTo(0x30ff2);
            assertThat(h.c.malloc_usable_size(p)).isEqualTo(0x30fe8);
            long q = h.c.realloc(p, 400000);
            h.c.free(q);
            assertThat(h.m.mallinfo2().hblks()).isZero();
            assertThat(h.m.mallinfo2().hblkhd()).isEqualTo(16); // the mremap accounting slip
            assertThat(h.m.mallinfo2().arena()).isZero();
        }

        @Test
        void aDoubleFreeWithFullSmallBinsIsCaughtByTheTcacheNotTheFastbin() {
            for (String v : List.of("2.41", "2.43")) {
                CheckedHeap h = heap(v);
                long[] c = new long[8];
                for (int i = 0; i < 8; i++) {
                    c[i] = h.c.malloc(40);
                }
                for (long p : c) {
                    h.c.free(p);
                }
                assertThatThrownBy(() -> h.c.free(c[7])).as(v).isInstanceOf(Abort.class)
                        .hasMessage(v.equals("2.43") ? "free(): double free detected in tcache 2"
                                : "double free or corruption (fasttop)");
            }
        }

        @Test
        void theDoubleFreeWalkCoversEveryBinSoAResizedChunkIsStillCaught() {
            for (String v : List.of("2.41", "2.43")) {
                CheckedHeap h = heap(v);
                long a = h.c.malloc(24);
                h.c.malloc(24);
                h.c.free(a); // 0x20 bin
                h.c.putLong(a - 8, 0x31); // now it claims to be 0x30
                if (v.equals("2.41")) {
                    h.c.free(a); // only the 0x30 bin is walked: a lands in two bins
                    assertThat(h.c.malloc(40)).isEqualTo(a);
                    assertThat(h.c.malloc(24)).isEqualTo(a);
                } else {
                    assertThatThrownBy(() -> h.c.free(a)).isInstanceOf(Abort.class)
                            .hasMessage("free(): double free detected in tcache 2");
                }
            }
        }

        @Test
        void mxfastIsAcceptedAndIgnored() {
            CheckedHeap h = heap("2.43");
            assertThat(h.c.mallopt(Mallopt.M_MXFAST, 0)).isOne();
            assertThat(h.c.mallopt(Mallopt.M_MXFAST, 1000)).isOne();
        }
    }
}
