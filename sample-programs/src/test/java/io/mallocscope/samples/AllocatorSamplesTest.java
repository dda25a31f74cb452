package io.mallocscope.samples;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.vm.Layout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.stream.Stream;

import static io.mallocscope.samples.SampleRun.assertMatchesGlibc;
import static io.mallocscope.samples.SampleRun.runExpectingDeclaredStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chunk, bin and malloc-family samples: each prints heap-relative addresses, size words and
 * yes/no facts, which must equal what real glibc 2.36 prints for the sample's C twin.
 */
class AllocatorSamplesTest {

    static Stream<Arguments> samplesWithAGlibcTwin() {
        return Stream.of(
                Arguments.of(ChunkAnatomy.class, "chunk-anatomy"),
                Arguments.of(RequestRounding.class, "request-rounding"),
                Arguments.of(FreeChunkLinks.class, "free-chunk-links"),
                Arguments.of(TcacheFillAndDrain.class, "tcache-fill-and-drain"),
                Arguments.of(FastbinLifo.class, "fastbin-lifo"),
                Arguments.of(UnsortedBin.class, "unsorted-bin"),
                Arguments.of(SmallBins.class, "small-bins"),
                Arguments.of(LargeBins.class, "large-bins"),
                Arguments.of(MallocConsolidate.class, "malloc-consolidate"),
                Arguments.of(Coalescing.class, "coalescing"),
                Arguments.of(TopGrowAndTrim.class, "top-grow-and-trim"),
                Arguments.of(MmapThreshold.class, "mmap-threshold"),
                Arguments.of(ReallocInPlaceOrMoved.class, "realloc-in-place-or-moved"),
                Arguments.of(CallocZeroes.class, "calloc-zeroes"),
                Arguments.of(Memalign.class, "memalign"),
                Arguments.of(WordFrequency.class, "word-frequency"),
                Arguments.of(DynamicArray.class, "dynamic-array"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("samplesWithAGlibcTwin")
    void printsWhatGlibcPrintsForItsCTwin(Class<? extends CProgram> sample, String name) {
        CProcess.Captured r = runExpectingDeclaredStatus(sample);
        assertThat(r.stderr()).isEmpty();
        assertMatchesGlibc(r.stdout(), name);
    }

    @Test
    void freeChunkLinksPointsIntoMainArenaInLibcData() {
        String out = runExpectingDeclaredStatus(FreeChunkLinks.class).stdout();
        long fd = ProcessSamplesTest.address(out, "big's fd");
        assertThat(fd).isBetween(Layout.LIBC_DATA, Layout.LIBC_DATA_END - 1);
        assertThat(out).contains("big's first byte is now 0x" + String.format("%02x", fd & 0xff) + ", not 'a'");
    }

    @Test
    void mmapThresholdMapsTheFirstRequestBelowTheLibraries() {
        String out = runExpectingDeclaredStatus(MmapThreshold.class).stdout();
        long p = ProcessSamplesTest.address(out, "malloc(200000) =");
        assertThat(p).isEqualTo(Layout.LIBC_ANON_START - 0x31000 + 0x10);
    }

    @Test
    void dynamicArrayTakesAnElementCount() {
        // the C twin, run with the argument 10 on glibc 2.36, printed exactly these lines
        CProcess.Captured r = runExpectingDeclaredStatus(DynamicArray.class, "10");
        assertThat(r.stdout()).isEqualTo("""
                capacity      4 ->      8: in place break+0x2a0
                capacity      8 ->     16: in place break+0x2a0
                10 elements, sum of squares 285
                heap summary: arena 135168, in use 800, free 134368, mmapped blocks 0 (0 bytes)
                """);
        CProcess.Captured bad = SampleRun.run(DynamicArray.class, "lots");
        assertThat(bad.status().code()).isEqualTo(2);
        assertThat(bad.stdout()).isEmpty();
        assertThat(bad.stderr()).isEqualTo("usage: dynamic-array [COUNT]  (COUNT: how many elements to add, 0 to 10000000)\n");
    }

    @Test
    void wordFrequencyCountsWordsGivenOnTheCommandLine() {
        String out = runExpectingDeclaredStatus(WordFrequency.class, "a", "b", "a", "c", "a").stdout();
        assertThat(out).startsWith("5 words, 3 distinct\na      3\nheap in use: ");
    }
}
