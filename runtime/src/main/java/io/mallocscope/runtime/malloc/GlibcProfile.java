package io.mallocscope.runtime.malloc;

import java.util.List;

/**
 * The behavioural switches that distinguish glibc releases (versions fact sheet, §7 "Modelling
 * checklist"). The allocator reads these final fields at each point where releases differ, so a
 * release is a row here, not a fork of the allocator. docs/profiles.md lists every switch with the
 * releases that set it, where it comes from in glibc and the methods that read it (ProfilesDocTest keeps
 * it in step).
 *
 * <p>How far each row can be trusted:
 * <ul>
 *   <li><b>2.31, 2.36, 2.41, 2.43</b>: checked against the real libraries (Debian's {@code libc6}
 *       builds) by the golden traces and the differential tests; {@link #verified()} is true.
 *   <li><b>2.27</b> (tcache without the double-free key, no safe-linking) and <b>2.23</b> (no
 *       tcache; errors reported as {@code *** Error in `PROG': MESSAGE: 0xPTR ***}) are modelled from
 *       the source at the tags {@code glibc-2.27} and {@code glibc-2.23} only: no library of those
 *       versions can be run here, so they are covered by hand-made tests of the behaviour that sets
 *       them apart, not by comparison with glibc. {@link #verified()} is false. The 2.27 row follows
 *       the tag, not the {@code release/2.27/master} branch (which back-ported the 2.29 tcache key).
 * </ul>
 * Not modelled in any row: the malloc hooks and {@code MALLOC_CHECK_} (2.23–2.33), threads and
 * other arenas. For 2.23 the backtrace and memory map that follow the error line are not printed.
 */
public final class GlibcProfile {
    /** How a failed malloc assertion is printed. */
    enum AssertFormat {
        /** {@code PROG: malloc.c:LINE: FN: Assertion `EXPR' failed.} (up to 2.35) */
        CLASSIC,
        /** {@code Fatal glibc error: malloc assertion failure in FN: EXPR} (2.36) */
        FATAL_IN_FUNCTION,
        /** {@code Fatal glibc error: malloc.c:LINE (FN): assertion failed: EXPR} (2.37+) */
        FATAL_AT_LINE
    }

    /** What memalign does besides carving an aligned chunk out of a larger one. */
    enum MemalignMode {
        /** _int_memalign gives the leader and the tail back through _int_free (tcache, fastbins possible); no tcache scan (up to 2.37). */
        FREE_LEFTOVERS,
        /**
         * 2.39–2.41: the tcache bin of the size is scanned for an aligned entry first; the leader goes
         * through the coalescing path only; the tail is given back also when the next chunk is free or top.
         */
        TCACHE_SCAN,
        /**
         * 2.43: the scan is size-aware (large tcache bins, exact size only); the leader starts at
         * ALIGN_UP(mem + MINSIZE, align); the tail is given back when at least MINSIZE.
         */
        SIZE_AWARE_TCACHE_SCAN
    }

    /** When realloc returns the same pointer without looking at the chunk's neighbours. */
    enum ReallocShortcut {
        /** Never (up to 2.36). */
        NONE,
        /** 2.38–2.41: less than 16 bytes to spare, or an mmapped chunk with at most a page to spare. */
        SLACK_OR_MMAPPED_PAGE,
        /** 2.43: less than 16 bytes to spare only. */
        SLACK
    }

    /** The size sysmalloc_mmap_fallback maps when brk fails. */
    enum MmapFallback {
        /** ALIGN_UP(size + old_size, page), at least 1 MiB (before 2.35, and 2.38–2.41). */
        OLD_SIZE_ADDED,
        /** 2.35–2.37: the minimum-size and page-size arguments swapped. */
        SWAPPED_ARGUMENTS,
        /** 2.42+: ALIGN_UP(nb + top_pad + MINSIZE, page), at least 1 MiB. */
        FROM_REQUEST
    }

    final String version;
    final boolean verified;
    // tcache
    final boolean hasTcache;
    final long tcacheStructRequest;
    final int tcacheMaxBins;
    final long tcacheEntriesOffset;
    final boolean tcacheByteCounts;
    final boolean tcacheSlotsCountDown;
    final boolean tcacheMadeLazily;
    final boolean tcacheLargeBins;
    final boolean freeTriesTcacheFirst;
    final int tcacheFillCount;
    final boolean tcacheKey;
    final boolean randomTcacheKey;
    final boolean tcacheWalkLimit;
    final boolean tcacheWalkAllBins;
    final boolean safeLinking;
    final boolean alignmentChecks;
    final boolean callocUsesTcache;
    // bins and frees
    final boolean hasFastbins;
    final boolean smallFreeToSmallbin;
    final boolean internalFreesCoalesceOnly;
    final MemalignMode memalign;
    final boolean alignedAllocChecksAlignment;
    final ReallocShortcut reallocShortcut;
    final boolean reallocMmappedFitsUsable;
    // mmap
    final boolean mmapSizeWordExcludesTail;
    final MmapFallback mmapFallback;
    final boolean mmapThresholdCapped;
    // parameters
    final boolean trimAndMalloptConsolidate;
    final boolean tunablesMoveBreak;
    final boolean hasTunables;
    final boolean hasMxfastTunable;
    final boolean maxFastZeroOnly;
    final boolean mxfastIgnored;
    // integrity checks and messages
    final AssertFormat assertFormat;
    final boolean unsortedChecks;
    final boolean topSizeCheck;
    final boolean mergeSizeChecks;
    final boolean largebinInsertChecks;
    final boolean unlinkSizeCheck;
    final boolean mremapPointerCheck;
    final boolean consolidateSizeCheck;
    final boolean errorBanner;
    final boolean nextsizeCheckOnSmallest;
    final boolean ptrdiffMaxLimit;
    /** 2.23 spells the large-bin arena assertions on the size field, not with chunk_main_arena. */
    final boolean sizeFieldArenaAsserts;
    /**
     * malloc.c line numbers of the assertions we model: sysmalloc top, sysmalloc old_size, bck-&gt;bk,
     * fwd, fwd (loop), bit, size, mremap_chunk (before 2.29); 0 where the release has no such assertion.
     */
    final int[] assertLines;
    /** Where struct malloc_state's fields sit. */
    final ArenaLayout arena;

    private GlibcProfile(Builder b) {
        version = b.version;
        verified = b.verified;
        hasTcache = b.hasTcache;
        tcacheStructRequest = b.tcacheStructRequest;
        tcacheMaxBins = b.tcacheMaxBins;
        tcacheEntriesOffset = b.tcacheEntriesOffset;
        tcacheByteCounts = b.tcacheByteCounts;
        tcacheSlotsCountDown = b.tcacheSlotsCountDown;
        tcacheMadeLazily = b.tcacheMadeLazily;
        tcacheLargeBins = b.tcacheLargeBins;
        freeTriesTcacheFirst = b.freeTriesTcacheFirst;
        tcacheFillCount = b.tcacheFillCount;
        tcacheKey = b.tcacheKey;
        randomTcacheKey = b.randomTcacheKey;
        tcacheWalkLimit = b.tcacheWalkLimit;
        tcacheWalkAllBins = b.tcacheWalkAllBins;
        safeLinking = b.safeLinking;
        alignmentChecks = b.alignmentChecks;
        callocUsesTcache = b.callocUsesTcache;
        hasFastbins = b.hasFastbins;
        smallFreeToSmallbin = b.smallFreeToSmallbin;
        internalFreesCoalesceOnly = b.internalFreesCoalesceOnly;
        memalign = b.memalign;
        alignedAllocChecksAlignment = b.alignedAllocChecksAlignment;
        reallocShortcut = b.reallocShortcut;
        reallocMmappedFitsUsable = b.reallocMmappedFitsUsable;
        mmapSizeWordExcludesTail = b.mmapSizeWordExcludesTail;
        mmapFallback = b.mmapFallback;
        mmapThresholdCapped = b.mmapThresholdCapped;
        trimAndMalloptConsolidate = b.trimAndMalloptConsolidate;
        tunablesMoveBreak = b.tunablesMoveBreak;
        hasTunables = b.hasTunables;
        hasMxfastTunable = b.hasMxfastTunable;
        maxFastZeroOnly = b.maxFastZeroOnly;
        mxfastIgnored = b.mxfastIgnored;
        assertFormat = b.assertFormat;
        unsortedChecks = b.unsortedChecks;
        topSizeCheck = b.topSizeCheck;
        mergeSizeChecks = b.mergeSizeChecks;
        largebinInsertChecks = b.largebinInsertChecks;
        unlinkSizeCheck = b.unlinkSizeCheck;
        mremapPointerCheck = b.mremapPointerCheck;
        consolidateSizeCheck = b.consolidateSizeCheck;
        errorBanner = b.errorBanner;
        nextsizeCheckOnSmallest = b.nextsizeCheckOnSmallest;
        ptrdiffMaxLimit = b.ptrdiffMaxLimit;
        sizeFieldArenaAsserts = b.sizeFieldArenaAsserts;
        assertLines = b.assertLines;
        arena = b.arena;
    }

    /** The 2.36 row; the others are derived from it by naming what changes. */
    private static Builder base236() {
        Builder b = new Builder();
        b.version = "2.36";
        b.verified = true;
        b.hasTcache = true;
        b.tcacheStructRequest = 0x280;
        b.tcacheMaxBins = 64;
        b.tcacheEntriesOffset = 0x80;
        b.tcacheFillCount = 7;
        b.tcacheKey = true;
        b.randomTcacheKey = true;
        b.tcacheWalkLimit = true;
        b.safeLinking = true;
        b.alignmentChecks = true;
        b.hasFastbins = true;
        b.memalign = MemalignMode.FREE_LEFTOVERS;
        b.reallocShortcut = ReallocShortcut.NONE;
        b.mmapFallback = MmapFallback.SWAPPED_ARGUMENTS;
        b.trimAndMalloptConsolidate = true;
        b.hasTunables = true;
        b.hasMxfastTunable = true;
        b.assertFormat = AssertFormat.FATAL_IN_FUNCTION;
        b.unsortedChecks = true;
        b.topSizeCheck = true;
        b.mergeSizeChecks = true;
        b.largebinInsertChecks = true;
        b.unlinkSizeCheck = true;
        b.mremapPointerCheck = true;
        b.consolidateSizeCheck = true;
        b.ptrdiffMaxLimit = true;
        b.assertLines = new int[] {2611, 2617, 4101, 4114, 4118, 4279, 4298, 0};
        b.arena = ArenaLayout.HAVE_FASTCHUNKS; // have_fastchunks became an int in 2.27
        return b;
    }

    public static final GlibcProfile V2_36 = new GlibcProfile(base236());

    public static final GlibcProfile V2_31;
    public static final GlibcProfile V2_27;
    public static final GlibcProfile V2_23;
    public static final GlibcProfile V2_41;
    public static final GlibcProfile V2_43;

    static {
        Builder b = base236();
        b.version = "2.31";
        b.randomTcacheKey = false; // the key is the tcache struct pointer (2.29)
        b.tcacheWalkLimit = false; // 2.33
        b.safeLinking = false; // 2.32
        b.alignmentChecks = false; // 2.32
        b.mmapFallback = MmapFallback.OLD_SIZE_ADDED;
        b.mmapThresholdCapped = true; // until 2.34
        b.tunablesMoveBreak = true; // 2.26–2.34
        b.maxFastZeroOnly = true; // until 2.31
        b.assertFormat = AssertFormat.CLASSIC;
        b.assertLines = new int[] {2379, 2385, 3839, 3852, 3856, 4017, 4036, 0};
        V2_31 = new GlibcProfile(b);

        b.version = "2.27";
        b.verified = false;
        b.tcacheStructRequest = 0x240;
        b.tcacheEntriesOffset = 0x40;
        b.tcacheByteCounts = true;
        b.tcacheKey = false; // 2.29
        b.hasMxfastTunable = false; // 2.30
        b.unsortedChecks = false; // 2.29
        b.topSizeCheck = false; // 2.29
        b.mergeSizeChecks = false; // 2.29
        b.largebinInsertChecks = false; // 2.30
        b.mremapPointerCheck = false; // 2.29
        b.ptrdiffMaxLimit = false; // 2.30: requests above PTRDIFF_MAX fail
        b.assertLines = new int[] {2398, 2404, 3830, 3843, 3847, 4004, 4023, 2868};
        V2_27 = new GlibcProfile(b);

        b.version = "2.23";
        b.hasTcache = false;
        b.tcacheStructRequest = 0;
        b.tcacheMaxBins = 0;
        b.tcacheFillCount = 0;
        b.tcacheByteCounts = false;
        b.hasTunables = false;
        b.tunablesMoveBreak = false;
        b.unlinkSizeCheck = false; // 2.26
        b.consolidateSizeCheck = false; // 2.27
        b.errorBanner = true;
        b.sizeFieldArenaAsserts = true;
        b.assertLines = new int[] {2392, 2398, 3552, 3564, 3568, 3704, 3723, 2869};
        b.arena = ArenaLayout.FLAGS_FASTCHUNKS; // have_fastchunks is bit 0 of flags: bins at +0x68
        V2_23 = new GlibcProfile(b);

        b = base236();
        b.version = "2.41";
        b.callocUsesTcache = true;
        b.smallFreeToSmallbin = true;
        b.memalign = MemalignMode.TCACHE_SCAN;
        b.alignedAllocChecksAlignment = true; // 2.38
        b.reallocShortcut = ReallocShortcut.SLACK_OR_MMAPPED_PAGE;
        b.mmapFallback = MmapFallback.OLD_SIZE_ADDED; // 2.38
        b.assertFormat = AssertFormat.FATAL_AT_LINE;
        b.assertLines = new int[] {2601, 2607, 4237, 4250, 4254, 4415, 4434, 0};
        V2_41 = new GlibcProfile(b);

        b.version = "2.43";
        b.tcacheStructRequest = 760;
        b.tcacheMaxBins = 76;
        b.tcacheEntriesOffset = 152;
        b.tcacheSlotsCountDown = true;
        b.tcacheMadeLazily = true;
        b.tcacheLargeBins = true;
        b.freeTriesTcacheFirst = true;
        b.tcacheFillCount = 16;
        b.tcacheWalkAllBins = true;
        b.hasFastbins = false;
        b.internalFreesCoalesceOnly = true;
        b.memalign = MemalignMode.SIZE_AWARE_TCACHE_SCAN;
        b.reallocShortcut = ReallocShortcut.SLACK;
        b.reallocMmappedFitsUsable = true;
        b.mmapSizeWordExcludesTail = true;
        b.mmapFallback = MmapFallback.FROM_REQUEST;
        b.trimAndMalloptConsolidate = false;
        b.mxfastIgnored = true;
        b.nextsizeCheckOnSmallest = true; // 2.42
        b.arena = ArenaLayout.NO_FASTBINS; // fastbinsY and have_fastchunks removed: bins at +0x18
        // Debian 2.43-7's malloc.c is not the tarball's: the first two lines are measured, the rest
        // assume the same shift as the measured _int_malloc one.
        b.assertLines = new int[] {2371, 2377, 4041, 4057, 4061, 4222, 4241, 0};
        V2_43 = new GlibcProfile(b);
    }

    /** Every release the project models, oldest first. */
    public static final List<GlibcProfile> ALL = List.of(V2_23, V2_27, V2_31, V2_36, V2_41, V2_43);

    /**
     * Checks {@code tunables} (GLIBC_TUNABLES syntax, or MALLOC_*_ spellings) as a process would read
     * them, without making one.
     *
     * @throws IllegalArgumentException naming what is malformed, in the words a process would use
     */
    public static void checkTunables(String tunables) {
        Tunables.parse(tunables);
    }

    /**
     * The profile for a version string such as "2.36" (a "glibc-" prefix is accepted).
     *
     * @throws IllegalArgumentException for an unknown version
     */
    public static GlibcProfile forVersion(String version) {
        String v = version == null ? "" : version.trim();
        if (v.startsWith("glibc-")) {
            v = v.substring("glibc-".length());
        }
        for (GlibcProfile p : ALL) {
            if (p.version.equals(v)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown glibc version '" + version + "' (accepted: "
                + implementedVersions() + ")");
    }

    /** "2.23, 2.27, 2.31, 2.36, 2.41, 2.43". */
    public static String implementedVersions() {
        StringBuilder sb = new StringBuilder();
        for (GlibcProfile p : ALL) {
            sb.append(sb.length() == 0 ? "" : ", ").append(p.version);
        }
        return sb.toString();
    }

    /** "2.36" … */
    public String version() {
        return version;
    }

    /** Whether this row was checked against the real library (false: modelled from source only). */
    public boolean verified() {
        return verified;
    }

    /** 2.26+. */
    public boolean hasTcache() {
        return hasTcache;
    }

    /** The request tcache_init makes: 0x240 (2.27), 0x280 (2.30–2.41), 760 (2.42+). */
    public long tcacheStructRequest() {
        return tcacheStructRequest;
    }

    /** Default tcache_count: 7, or 16 from 2.43. */
    public int tcacheFillCount() {
        return tcacheFillCount;
    }

    /** 2.29+: free() checks the key word for double frees. */
    public boolean tcacheKey() {
        return tcacheKey;
    }

    /** 2.34+: the key is a random value (before: the tcache pointer). */
    public boolean randomTcacheKey() {
        return randomTcacheKey;
    }

    /** 2.32+: tcache next and fastbin fd are mangled with (addr &gt;&gt; 12). */
    public boolean safeLinking() {
        return safeLinking;
    }

    /**
     * 2.32+: a chunk taken from (or walked in) a fastbin, and a tcache entry handed out, must be 16-aligned
     * ("malloc(): unaligned fastbin chunk detected 2").
     */
    public boolean alignmentChecks() {
        return alignmentChecks;
    }

    /** 2.41+. */
    public boolean callocUsesTcache() {
        return callocUsesTcache;
    }

    /** All but 2.43. */
    public boolean hasFastbins() {
        return hasFastbins;
    }

    /** 2.41+: a coalesced small free goes to its small bin, not unsorted. */
    public boolean smallFreeToSmallbin() {
        return smallFreeToSmallbin;
    }

    /** 2.43: the tcache struct is made lazily (first tcache-sized free, or inside _int_malloc). */
    public boolean tcacheMadeLazily() {
        return tcacheMadeLazily;
    }

    /** Before 2.35: M_MMAP_THRESHOLD above 32 MiB is refused. */
    public boolean mmapThresholdCapped() {
        return mmapThresholdCapped;
    }

    /** 2.26–2.34: ld.so copies GLIBC_TUNABLES with sbrk, so the break at main moves by its length. */
    public boolean tunablesMoveBreak() {
        return tunablesMoveBreak;
    }

    @Override
    public String toString() {
        return "glibc " + version;
    }

    private static final class Builder {
        String version;
        boolean verified;
        boolean hasTcache;
        long tcacheStructRequest;
        int tcacheMaxBins;
        long tcacheEntriesOffset;
        boolean tcacheByteCounts;
        boolean tcacheSlotsCountDown;
        boolean tcacheMadeLazily;
        boolean tcacheLargeBins;
        boolean freeTriesTcacheFirst;
        int tcacheFillCount;
        boolean tcacheKey;
        boolean randomTcacheKey;
        boolean tcacheWalkLimit;
        boolean tcacheWalkAllBins;
        boolean safeLinking;
        boolean alignmentChecks;
        boolean callocUsesTcache;
        boolean hasFastbins;
        boolean smallFreeToSmallbin;
        boolean internalFreesCoalesceOnly;
        MemalignMode memalign;
        boolean alignedAllocChecksAlignment;
        ReallocShortcut reallocShortcut;
        boolean reallocMmappedFitsUsable;
        boolean mmapSizeWordExcludesTail;
        MmapFallback mmapFallback;
        boolean mmapThresholdCapped;
        boolean trimAndMalloptConsolidate;
        boolean tunablesMoveBreak;
        boolean hasTunables;
        boolean hasMxfastTunable;
        boolean maxFastZeroOnly;
        boolean mxfastIgnored;
        AssertFormat assertFormat;
        boolean unsortedChecks;
        boolean topSizeCheck;
        boolean mergeSizeChecks;
        boolean largebinInsertChecks;
        boolean unlinkSizeCheck;
        boolean mremapPointerCheck;
        boolean consolidateSizeCheck;
        boolean errorBanner;
        boolean nextsizeCheckOnSmallest;
        boolean ptrdiffMaxLimit;
        boolean sizeFieldArenaAsserts;
        int[] assertLines;
        ArenaLayout arena;
    }
}
