package io.mallocscope.runtime.malloc;

import java.util.List;

/**
 * The behavioural switches that distinguish glibc releases (versions fact sheet, §7 "Modelling
 * checklist"). The allocator reads these at each point where releases differ, so adding a release is
 * filling in a row, not forking the allocator. Only 2.36 is implemented; the other rows are recorded
 * here so the switch points are visible, and {@link #forVersion} refuses them for now.
 *
 * @param version                 "2.36" …
 * @param implemented             whether the allocator models this release yet
 * @param hasTcache               2.26+
 * @param tcacheStructRequest     the request tcache_init makes (0x280 for 64 bins of uint16 counts)
 * @param tcacheFillCount         default tcache_count
 * @param tcacheKey               2.29+: free() checks the key word for double frees
 * @param randomTcacheKey         2.34+: the key is a random value (before: the tcache pointer)
 * @param safeLinking             2.32+: tcache next and fastbin fd are mangled with (addr &gt;&gt; 12)
 * @param callocUsesTcache        2.41+
 * @param hasFastbins             all but 2.43
 * @param smallFreeToSmallbin     2.41+: a coalesced small free goes to its small bin, not unsorted
 * @param memalignTcacheScan      2.38+
 * @param reallocUsableShortcut   2.37+: realloc keeps the chunk when the request still fits
 * @param mmapFallbackArgsSwapped 2.36/2.37: sysmalloc_mmap_fallback gets minsize and pagesize swapped
 * @param mmapThresholdCapped     before 2.35: M_MMAP_THRESHOLD above 32 MiB is refused
 * @param trimAndMalloptConsolidate malloc_trim and mallopt run malloc_consolidate
 * @param newAssertFormat         2.36+: "Fatal glibc error: malloc assertion failure in FN: EXPR"
 */
public record GlibcProfile(String version, boolean implemented, boolean hasTcache, long tcacheStructRequest,
                           int tcacheFillCount, boolean tcacheKey, boolean randomTcacheKey, boolean safeLinking,
                           boolean callocUsesTcache, boolean hasFastbins, boolean smallFreeToSmallbin,
                           boolean memalignTcacheScan, boolean reallocUsableShortcut,
                           boolean mmapFallbackArgsSwapped, boolean mmapThresholdCapped,
                           boolean trimAndMalloptConsolidate, boolean newAssertFormat) {

    public static final GlibcProfile V2_23 = new GlibcProfile("2.23", false, false, 0, 0, false, false, false,
            false, true, false, false, false, false, true, true, false);
    public static final GlibcProfile V2_27 = new GlibcProfile("2.27", false, true, 0x240, 7, false, false, false,
            false, true, false, false, false, false, true, true, false);
    public static final GlibcProfile V2_31 = new GlibcProfile("2.31", false, true, 0x280, 7, true, false, false,
            false, true, false, false, false, false, true, true, false);
    public static final GlibcProfile V2_36 = new GlibcProfile("2.36", true, true, 0x280, 7, true, true, true,
            false, true, false, false, false, true, false, true, true);
    public static final GlibcProfile V2_41 = new GlibcProfile("2.41", false, true, 0x280, 7, true, true, true,
            true, true, true, true, true, false, false, true, true);
    public static final GlibcProfile V2_43 = new GlibcProfile("2.43", false, true, 0x300, 16, true, true, true,
            true, false, true, true, true, false, false, false, true);

    /** Every release the project knows about, implemented or not. */
    public static final List<GlibcProfile> ALL = List.of(V2_23, V2_27, V2_31, V2_36, V2_41, V2_43);

    /**
     * The profile for a version string such as "2.36".
     *
     * @throws IllegalArgumentException for an unknown version, or one not implemented yet
     */
    public static GlibcProfile forVersion(String version) {
        String v = version == null ? "" : version.trim();
        if (v.startsWith("glibc-")) {
            v = v.substring("glibc-".length());
        }
        for (GlibcProfile p : ALL) {
            if (p.version.equals(v)) {
                if (!p.implemented) {
                    throw new IllegalArgumentException("glibc " + v + " is not implemented yet (implemented: "
                            + implementedVersions() + ")");
                }
                return p;
            }
        }
        throw new IllegalArgumentException("unknown glibc version '" + version + "' (accepted: "
                + implementedVersions() + ")");
    }

    static String implementedVersions() {
        StringBuilder sb = new StringBuilder();
        for (GlibcProfile p : ALL) {
            if (p.implemented) {
                sb.append(sb.length() == 0 ? "" : ", ").append(p.version);
            }
        }
        return sb.toString();
    }
}
