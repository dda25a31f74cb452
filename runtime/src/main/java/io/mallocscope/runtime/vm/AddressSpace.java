package io.mallocscope.runtime.vm;

import io.mallocscope.runtime.signal.BusError;
import io.mallocscope.runtime.signal.OutOfMemoryKill;
import io.mallocscope.runtime.signal.Segfault;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The 64-bit virtual address space of the simulated process: regions with permissions, and sparse
 * pages behind them. A page costs Java memory only once something is written to it; reading an
 * untouched page yields zeros, as a fresh anonymous mapping does on Linux.
 *
 * <p>Every access checks the permissions of the page it touches; an access to unmapped memory, to
 * kernel space or against the page's protection raises a {@link Segfault} naming the address. As
 * on x86_64, a page that is writable or executable can also be read; only {@code PROT_NONE} pages
 * refuse reads.
 */
public final class AddressSpace {
    public static final long PAGE_SIZE = 4096;
    public static final int PAGE_SHIFT = 12;
    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int PROT_EXEC = 4;

    /** The first address past user space on x86_64 with 4-level paging (TASK_SIZE). */
    public static final long USER_END = 0x7ffffffff000L;
    /** The first address past the lower canonical half (47-bit addresses). */
    public static final long CANONICAL_LOW_END = 0x0000800000000000L;
    /** The start of the kernel half of the canonical address space. */
    public static final long KERNEL_START = 0xffff800000000000L;
    /** Below this, an unmapped address is reported as a likely null pointer (Linux's mmap_min_addr). */
    public static final long NULL_GUARD_END = 0x10000L;

    private static final int PAGE_MASK = (int) PAGE_SIZE - 1;
    private static final int TLB_SIZE = 8192;
    private static final byte[] ZERO_PAGE = new byte[(int) PAGE_SIZE];

    /** The mappings, keyed by start address; edited through {@link #putRegion} and {@link #removeRegion} only. */
    private final TreeMap<Long, Region> regions = new TreeMap<>(Long::compareUnsigned);
    /** The free gaps between the mappings, for an O(log n) top-down search. */
    private final Gaps gaps = new Gaps();
    /** Mappings in user space (the kernel's {@code mm->map_count}: [vsyscall] is not one) and their bytes. */
    private int mapCount;
    private long mappedTotal;
    // While a process has few mappings (the usual case), the same regions as sorted arrays, rebuilt
    // on the first lookup after an edit, so that translating an address on a TLB miss is a binary
    // search over primitives; with more than INDEX_LIMIT mappings, lookups go to the tree, so that
    // no edit costs more than O(log n).
    private static final int INDEX_LIMIT = 64;
    private long[] indexStart = new long[0];
    private Region[] indexRegion = new Region[0];
    private boolean indexDirty;

    /** The resident pages allowed (the simulated machine's physical memory), or Long.MAX_VALUE. */
    private long physicalPages = Long.MAX_VALUE;

    private final PageMap pages = new PageMap();

    // A direct-mapped cache of page translations, big enough to hold a heap of 32 MiB without a
    // miss: the allocator alternates between the arena (in libc's data) and heap pages all over the
    // heap. Slot i holds page p (p % TLB_SIZE == i) when tlbRead[i] == p (p may be read) or
    // tlbWrite[i] == p (p may be written); tlbData[i] is then p's bytes, or null if never written.
    private final long[] tlbRead = new long[TLB_SIZE];
    private final long[] tlbWrite = new long[TLB_SIZE];
    private final byte[][] tlbData = new byte[TLB_SIZE][];

    public AddressSpace() {
        Arrays.fill(tlbRead, -1L);
        Arrays.fill(tlbWrite, -1L);
    }

    // ---------------------------------------------------------------- mappings

    /**
     * Maps {@code [start, end)} with the given protection and name, replacing whatever was mapped
     * there (as {@code MAP_FIXED} does). The new pages read as zeros. Both ends must be page-aligned.
     */
    public void map(long start, long end, int prot, String name) {
        map(start, end, prot, name, 0);
    }

    /** Maps part of a file: like {@link #map(long, long, int, String)}, with the file offset of {@code start}. */
    public void map(long start, long end, int prot, String name, long offset) {
        mapRegion(new Region(start, end, prot, name, offset));
    }

    /**
     * Maps {@code file}'s page cache from file offset {@code offset} at {@code [start, end)}, like
     * {@link #map(long, long, int, String, long)}. A shared mapping reads and writes the cache pages
     * themselves; a private one reads them until its first write to a page, which copies the page
     * (copy-on-write) so that the write stays in this process.
     */
    public void mapFile(long start, long end, int prot, String name, long offset, boolean shared, FileBacking file) {
        mapRegion(new Region(start, end, prot, name, offset, shared, file));
    }

    /** Maps {@code [start, end)} like {@code template} (protection, name, sharing, file), continuing its file offsets. */
    public void mapLike(Region template, long start, long end) {
        mapRegion(new Region(start, end, template.prot(), template.name(), template.offsetOf(start), template.shared(),
                template.file()));
    }

    private void mapRegion(Region r) {
        long start = r.start();
        long end = r.end();
        checkRange(start, end);
        if (start == end) {
            return;
        }
        List<FileBacking> before = removeRange(start, end);
        if (before != null) {
            discardPages(start, end);
        }
        putRegion(r);
        if (r.file() != null) {
            r.file().mappedBy(this);
        }
        mergeAround(start, end);
        changed(start, end);
        released(before);
    }

    /** Removes every mapping in {@code [start, end)}, leaving a hole. Page-aligned ends. */
    public void unmap(long start, long end) {
        checkRange(start, end);
        List<FileBacking> before = removeRange(start, end);
        if (before != null) {
            discardPages(start, end);
        }
        changed(start, end);
        released(before);
    }

    /** Tells each file whose last mapping here went away. */
    private void released(List<FileBacking> files) {
        if (files == null) {
            return;
        }
        for (FileBacking f : files) {
            boolean still = false;
            for (Region r : regions.values()) {
                if (r.file() == f) {
                    still = true;
                    break;
                }
            }
            if (!still) {
                f.unmappedBy(this);
            }
        }
    }

    /** The mappings of {@code file} here, lowest address first. */
    public List<Region> mappingsOf(FileBacking file) {
        List<Region> out = new ArrayList<>();
        for (Region r : regions.values()) {
            if (r.file() == file) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Forgets the cached translations of every page mapping {@code file}, so that the next store
     * to a shared page marks it dirty again (after a write-back) and the next access to a page
     * past a shrunk end of file faults.
     */
    public void forgetTranslations(FileBacking file) {
        for (Region r : mappingsOf(file)) {
            changed(r.start(), r.end());
        }
    }

    /**
     * {@code file} shrank to {@code newSize}: the private copies this process made of its pages
     * that now lie wholly beyond the end are dropped (as the kernel unmaps them, copies and all),
     * so touching them raises SIGBUS.
     */
    public void fileTruncated(FileBacking file, long newSize) {
        long firstGone = (newSize + PAGE_SIZE - 1) >>> PAGE_SHIFT;
        for (Region r : mappingsOf(file)) {
            for (long a = r.start(); Long.compareUnsigned(a, r.end()) < 0; a += PAGE_SIZE) {
                if (r.filePage(a) >= firstGone) {
                    pages.remove(a >>> PAGE_SHIFT);
                }
            }
        }
        forgetTranslations(file);
    }

    /** True if the page at {@code address} is a private copy of a file page (written since it was mapped). */
    public boolean isPrivateCopy(long address) {
        Region r = regionAt(address);
        return r != null && r.file() != null && !r.shared() && pages.get(address >>> PAGE_SHIFT) != null;
    }

    /**
     * A copy of this address space for a child of {@code fork}: the same mappings; private pages
     * copied (the child's stores change only the child's copy, as copy-on-write gives on Linux);
     * shared mappings reach the same page cache.
     */
    public AddressSpace copyForFork() {
        AddressSpace child = new AddressSpace();
        for (Region r : regions.values()) {
            child.putRegion(r);
        }
        child.physicalPages = physicalPages;
        pages.forEach((page, bytes) -> child.pages.put(page, bytes.clone()));
        child.changed(0, 0);
        IdentityHashMap<FileBacking, Boolean> files = new IdentityHashMap<>();
        for (Region r : regions.values()) {
            if (r.file() != null && files.put(r.file(), Boolean.TRUE) == null) {
                r.file().mappedBy(child);
            }
        }
        child.pageListener = pageListener;
        return child;
    }

    /** Told when a private file page is copied at its first write (for recording); may be null. */
    public interface PageListener {
        void madePrivate(long address, Region region);
    }

    private PageListener pageListener;

    public void setPageListener(PageListener listener) {
        this.pageListener = listener;
    }

    /**
     * Changes the protection of {@code [start, end)}; parts of the range that are unmapped stay so.
     * The contents are kept.
     */
    public void protect(long start, long end, int prot) {
        checkRange(start, end);
        List<Region> affected = overlapping(start, end);
        removeRange(start, end);
        for (Region r : affected) {
            long s = maxUnsigned(r.start(), start);
            long e = minUnsigned(r.end(), end);
            putRegion(r.withProt(s, e, prot));
        }
        for (Region r : affected) {
            long s = maxUnsigned(r.start(), start);
            if (regions.containsKey(s)) { // not already merged into the piece before it
                mergeAround(s, end);
            }
        }
        changed(start, end);
    }

    /**
     * Moves the mapping {@code [from, from+len)} with its contents to {@code [to, to+len)}, keeping
     * its protection and name; whatever was mapped at the destination is replaced. The two ranges
     * must not overlap. Used by {@code mremap}.
     */
    public void move(long from, long to, long len) {
        checkRange(from, from + len);
        checkRange(to, to + len);
        Region source = regionAt(from);
        if (source == null) {
            throw new IllegalArgumentException("nothing mapped at 0x" + Long.toHexString(from));
        }
        if (Long.compareUnsigned(from, to + len) < 0 && Long.compareUnsigned(to, from + len) < 0) {
            throw new IllegalArgumentException("move: ranges overlap");
        }
        long firstPage = from >>> PAGE_SHIFT;
        long pageCount = len >>> PAGE_SHIFT;
        List<long[]> offsets = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        if (pageCount <= 4L * pages.size() + 64) {
            for (long i = 0; i < pageCount; i++) {
                byte[] d = pages.get(firstPage + i);
                if (d != null) {
                    offsets.add(new long[] {i});
                    data.add(d);
                }
            }
        } else {
            pages.forEach((page, bytes) -> {
                long i = page - firstPage;
                if (i >= 0 && i < pageCount) {
                    offsets.add(new long[] {i});
                    data.add(bytes);
                }
            });
        }
        long fileOffset = source.offsetOf(from);
        unmap(from, from + len);
        mapRegion(new Region(to, to + len, source.prot(), source.name(), fileOffset, source.shared(), source.file()));
        long toPage = to >>> PAGE_SHIFT;
        for (int k = 0; k < data.size(); k++) {
            pages.put(toPage + offsets.get(k)[0], data.get(k));
        }
        changed(to, to + len);
    }

    /** Grows or shrinks the region that starts at {@code regionStart} and ends at {@code oldEnd} so that it ends at {@code newEnd}. */
    public void resizeEnd(long regionStart, long oldEnd, long newEnd) {
        Region r = regionAt(regionStart);
        if (r == null) {
            throw new IllegalArgumentException("nothing mapped at 0x" + Long.toHexString(regionStart));
        }
        if (Long.compareUnsigned(newEnd, oldEnd) < 0) {
            unmap(newEnd, oldEnd);
        } else if (newEnd != oldEnd) {
            mapRegion(new Region(oldEnd, newEnd, r.prot(), r.name(), r.offsetOf(oldEnd), r.shared(), r.file()));
        }
    }

    /** The region containing {@code address}, or null. Allocates nothing. */
    public Region regionAt(long address) {
        if (indexDirty) {
            rebuildIndex();
        }
        long[] starts = indexStart;
        if (starts == null) {
            Map.Entry<Long, Region> e = regions.floorEntry(address);
            return e != null && Long.compareUnsigned(address, e.getValue().end()) < 0 ? e.getValue() : null;
        }
        int lo = 0;
        int hi = starts.length - 1;
        int found = -1;
        while (lo <= hi) { // the last region starting at or below address
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(starts[mid], address) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            return null;
        }
        Region r = indexRegion[found];
        return Long.compareUnsigned(address, r.end()) < 0 ? r : null;
    }

    /** True if no byte of {@code [start, end)} is mapped. */
    public boolean isFree(long start, long end) {
        return overlapping(start, end).isEmpty();
    }

    /** True if every byte of {@code [start, end)} is mapped. */
    public boolean isFullyMapped(long start, long end) {
        long covered = start;
        for (Region r : overlapping(start, end)) {
            if (Long.compareUnsigned(r.start(), covered) > 0) {
                return false;
            }
            covered = r.end();
        }
        return Long.compareUnsigned(covered, end) >= 0;
    }

    /** Bytes mapped in {@code [start, end)}. */
    public long mappedBytes(long start, long end) {
        long total = 0;
        for (Region r : overlapping(start, end)) {
            total += minUnsigned(r.end(), end) - maxUnsigned(r.start(), start);
        }
        return total;
    }

    /**
     * The highest page-aligned address {@code a} with {@code [a, a+len)} free, {@code a >= low} and
     * {@code a+len <= high}; -1 if there is none. This is the kernel's top-down search
     * ({@code vm_unmapped_area} with {@code VM_UNMAPPED_AREA_TOPDOWN}).
     */
    public long findFreeTopDown(long len, long low, long high) {
        if (Long.compareUnsigned(len, high - low) > 0 || Long.compareUnsigned(high, low) < 0) {
            return -1;
        }
        // the gap high falls into, cut off at high
        Map.Entry<Long, Region> below = regions.lowerEntry(high);
        long gapLow = below == null ? 0 : below.getValue().end();
        if (Long.compareUnsigned(gapLow, high) < 0) {
            long bottom = maxUnsigned(gapLow, low);
            if (Long.compareUnsigned(high - bottom, len) >= 0) {
                return high - len;
            }
        }
        if (below == null) {
            return -1;
        }
        // whole gaps ending at or below the mapping under high: the highest that holds len
        long gapEnd = gaps.highestFitting(minUnsigned(below.getKey(), high), len);
        if (gapEnd == 0) {
            return -1;
        }
        long candidate = gapEnd - len;
        return Long.compareUnsigned(candidate, low) >= 0 && Long.compareUnsigned(gapEnd, low) > 0 ? candidate : -1;
    }

    /** How many mappings the process has, as the kernel counts them for {@code vm.max_map_count}. */
    public int mapCount() {
        return mapCount;
    }

    /** Bytes of all mappings in user space. */
    public long mappedTotal() {
        return mappedTotal;
    }

    /** All regions, lowest address first. */
    public List<Region> regions() {
        return List.copyOf(regions.values());
    }

    /**
     * The regions as {@code /proc/PID/maps} lists them ({@link Region#procLine()}): range,
     * permissions, file offset, device and inode ({@link Region#device()}), then the name from column
     * 74. Like the kernel, an anonymous line ends with a space after the inode.
     */
    public String maps() {
        StringBuilder sb = new StringBuilder();
        for (Region r : regions.values()) {
            sb.append(r.procLine()).append('\n');
        }
        return sb.toString();
    }

    /**
     * How many pages of the file mapping {@code r} are dirty: in the page cache, changed through a
     * shared mapping and not yet written back ({@code Shared_Dirty} of {@code /proc/PID/smaps}, for
     * this mapping's part of the file). 0 for a private or anonymous mapping.
     */
    public int dirtyPages(Region r) {
        if (!r.shared() || !(r.file() instanceof PageCache cache)) {
            return 0;
        }
        return cache.dirtyPages(r.filePage(r.start()), r.filePage(r.end() - 1) + 1).size();
    }

    /**
     * How many pages of the private file mapping {@code r} this process has copied at their first
     * store (copy-on-write: {@code Private_Dirty} of {@code /proc/PID/smaps}). 0 for a shared or
     * anonymous mapping.
     */
    public int privatePages(Region r) {
        if (r.shared() || r.file() == null) {
            return 0;
        }
        long first = r.start() >>> PAGE_SHIFT;
        long last = (r.end() - 1) >>> PAGE_SHIFT;
        if (last - first < pages.size()) {
            int n = 0;
            for (long p = first; p <= last; p++) {
                n += pages.get(p) != null ? 1 : 0;
            }
            return n;
        }
        int[] n = {0};
        pages.forEach((p, b) -> n[0] += p >= first && p <= last ? 1 : 0);
        return n[0];
    }

    /**
     * The simulated machine's physical memory: once {@code bytes} worth of pages hold data, the next
     * page a write would bring in kills the process instead, as Linux's OOM killer does (an
     * {@link OutOfMemoryKill}, SIGKILL). {@code Long.MAX_VALUE}: no limit. Mapped pages that were
     * never written cost nothing and count for nothing, as on Linux.
     */
    public void setPhysicalMemory(long bytes) {
        physicalPages = bytes == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(1, bytes >>> PAGE_SHIFT);
    }

    public long physicalMemory() {
        return physicalPages == Long.MAX_VALUE ? Long.MAX_VALUE : physicalPages << PAGE_SHIFT;
    }

    private OutOfMemoryKill outOfMemory() {
        return new OutOfMemoryKill(mappedTotal >>> 10, (long) pages.size() << (PAGE_SHIFT - 10), physicalMemory());
    }

    /** Whether the page holding {@code address} holds data of its own (has been written, or copied from a file). */
    public boolean holdsData(long address) {
        return pages.get(address >>> PAGE_SHIFT) != null;
    }

    /** How many pages hold data (the Java memory the simulation costs). */
    public int residentPages() {
        return pages.size();
    }

    // ---------------------------------------------------------------- loads

    public int read8(long a) {
        byte[] p = pageForRead(a, 1);
        return p == null ? 0 : p[(int) a & PAGE_MASK] & 0xff;
    }

    public int read16(long a) {
        int off = (int) a & PAGE_MASK;
        if (off <= PAGE_MASK - 1) {
            byte[] p = pageForRead(a, 2);
            return p == null ? 0 : PageWords.getShort(p, off) & 0xffff;
        }
        return (int) readSlow(a, 2);
    }

    public int read32(long a) {
        int off = (int) a & PAGE_MASK;
        if (off <= PAGE_MASK - 3) {
            byte[] p = pageForRead(a, 4);
            return p == null ? 0 : PageWords.getInt(p, off);
        }
        return (int) readSlow(a, 4);
    }

    public long read64(long a) {
        int off = (int) a & PAGE_MASK;
        if (off <= PAGE_MASK - 7) {
            byte[] p = pageForRead(a, 8);
            return p == null ? 0 : PageWords.getLong(p, off);
        }
        return readSlow(a, 8);
    }

    /** Copies {@code len} bytes at {@code a} into {@code dst}; faults before copying anything if any byte is unreadable. */
    public void readBytes(long a, byte[] dst, int dstOff, int len) {
        if (len < 0) {
            throw new IllegalArgumentException("readBytes: negative length " + len);
        }
        if (len == 0) {
            return;
        }
        int first = (int) a & PAGE_MASK;
        long page = a >>> PAGE_SHIFT;
        int slot = (int) page & (TLB_SIZE - 1);
        if (len <= PAGE_SIZE - first && tlbRead[slot] == page) { // one page, known readable
            byte[] p = tlbData[slot];
            if (p == null) {
                System.arraycopy(ZERO_PAGE, 0, dst, dstOff, len);
            } else {
                System.arraycopy(p, first, dst, dstOff, len);
            }
            return;
        }
        checkAccess(a, len, false);
        int done = 0;
        while (done < len) {
            long addr = a + done;
            int off = (int) addr & PAGE_MASK;
            int n = Math.min(len - done, (int) PAGE_SIZE - off);
            byte[] p = pageForRead(addr, 1);
            if (p == null) {
                System.arraycopy(ZERO_PAGE, 0, dst, dstOff + done, n);
            } else {
                System.arraycopy(p, off, dst, dstOff + done, n);
            }
            done += n;
        }
    }

    // ---------------------------------------------------------------- stores

    public void write8(long a, int v) {
        pageForWrite(a, 1)[(int) a & PAGE_MASK] = (byte) v;
    }

    public void write16(long a, int v) {
        int off = (int) a & PAGE_MASK;
        if (off <= PAGE_MASK - 1) {
            PageWords.putShort(pageForWrite(a, 2), off, (short) v);
        } else {
            writeSlow(a, v, 2);
        }
    }

    public void write32(long a, int v) {
        int off = (int) a & PAGE_MASK;
        if (off <= PAGE_MASK - 3) {
            PageWords.putInt(pageForWrite(a, 4), off, v);
        } else {
            writeSlow(a, v, 4);
        }
    }

    public void write64(long a, long v) {
        int off = (int) a & PAGE_MASK;
        if (off <= PAGE_MASK - 7) {
            PageWords.putLong(pageForWrite(a, 8), off, v);
        } else {
            writeSlow(a, v, 8);
        }
    }

    /** Copies {@code len} bytes of {@code src} to {@code a}; faults before writing anything if any byte is unwritable. */
    public void writeBytes(long a, byte[] src, int srcOff, int len) {
        if (len < 0) {
            throw new IllegalArgumentException("writeBytes: negative length " + len);
        }
        if (len == 0) {
            return;
        }
        int first = (int) a & PAGE_MASK;
        long page = a >>> PAGE_SHIFT;
        int slot = (int) page & (TLB_SIZE - 1);
        byte[] p;
        if (len <= PAGE_SIZE - first && tlbWrite[slot] == page && (p = tlbData[slot]) != null) { // one page, writable
            System.arraycopy(src, srcOff, p, first, len);
            return;
        }
        checkAccess(a, len, true);
        int done = 0;
        while (done < len) {
            long addr = a + done;
            int off = (int) addr & PAGE_MASK;
            int n = Math.min(len - done, (int) PAGE_SIZE - off);
            System.arraycopy(src, srcOff + done, pageForWrite(addr, 1), off, n);
            done += n;
        }
    }

    /**
     * Copies {@code len} bytes from {@code src} to {@code dst} as C's {@code memmove} does (the
     * ranges may overlap), page by page without a buffer. Faults before writing anything if any byte
     * of the source is unreadable (checked first) or any byte of the destination unwritable.
     */
    public void copy(long dst, long src, long len) {
        if (len < 0) {
            throw new IllegalArgumentException("copy: negative length " + len);
        }
        if (len == 0) {
            return;
        }
        checkAccess(src, len, false);
        checkAccess(dst, len, true);
        boolean backwards = Long.compareUnsigned(dst, src) > 0 && Long.compareUnsigned(dst - src, len) < 0;
        long done = 0;
        while (done < len) {
            // the next piece that stays inside one source page and one destination page
            long left = len - done;
            long s;
            long d;
            int n;
            if (backwards) {
                long sEnd = src + left;
                long dEnd = dst + left;
                int sRoom = (int) ((sEnd - 1) & PAGE_MASK) + 1;
                int dRoom = (int) ((dEnd - 1) & PAGE_MASK) + 1;
                n = (int) Math.min(left, Math.min(sRoom, dRoom));
                s = sEnd - n;
                d = dEnd - n;
            } else {
                s = src + done;
                d = dst + done;
                n = (int) Math.min(left, Math.min(PAGE_SIZE - (s & PAGE_MASK), PAGE_SIZE - (d & PAGE_MASK)));
            }
            byte[] from = pageForRead(s, 1);
            byte[] to = pageForWrite(d, 1);
            if (from == null) {
                System.arraycopy(ZERO_PAGE, 0, to, (int) d & PAGE_MASK, n);
            } else {
                System.arraycopy(from, (int) s & PAGE_MASK, to, (int) d & PAGE_MASK, n);
            }
            done += n;
        }
    }

    /**
     * Sets {@code len} bytes at {@code a} to {@code value}; {@code len} is unsigned, like C's
     * {@code size_t}. Faults before writing anything if any byte is unwritable. Whole pages that were
     * never touched stay untouched when the value is zero.
     */
    public void fill(long a, int value, long len) {
        int first = (int) a & PAGE_MASK;
        long page = a >>> PAGE_SHIFT;
        int slot = (int) page & (TLB_SIZE - 1);
        byte[] p;
        // part of one page that is known writable and already holds data
        if (Long.compareUnsigned(len, PAGE_SIZE - first) <= 0 && tlbWrite[slot] == page && (p = tlbData[slot]) != null) {
            set(p, first, (int) len, value);
            return;
        }
        checkAccess(a, len, true);
        long done = 0;
        while (Long.compareUnsigned(done, len) < 0) {
            long addr = a + done;
            int off = (int) addr & PAGE_MASK;
            int n = (int) Math.min(len - done, PAGE_SIZE - off);
            if (value == 0 && n == PAGE_SIZE && pageData(addr) == null && regionAt(addr).file() == null) {
                done += n; // a whole untouched page already reads as zeros
                continue;
            }
            set(pageForWrite(addr, 1), off, n, value);
            done += n;
        }
    }

    /**
     * Sets {@code n} bytes of a page: zeros are copied from a zero page, as {@code System.arraycopy}
     * is fast from the first call on, while a fill loop is slow until the JIT has compiled it.
     */
    private static void set(byte[] page, int off, int n, int value) {
        if (value == 0) {
            System.arraycopy(ZERO_PAGE, 0, page, off, n);
        } else {
            Arrays.fill(page, off, off + n, (byte) value);
        }
    }

    /**
     * Checks that the {@code len} bytes at {@code a} may be read (or written) and raises the
     * {@link Segfault} the first bad byte would raise. {@code len} is unsigned, like C's
     * {@code size_t}: a "negative" length covers the rest of the address space and so faults at the
     * end of the mapping. For bulk operations that must fail before changing anything.
     */
    public void checkAccess(long a, long len, boolean write) {
        checkAccess(a, len, write, 0);
    }

    private void checkAccess(long a, long len, boolean write, int width) {
        if (len == 0) {
            return;
        }
        long addr = a;
        while (true) {
            Region r = Long.compareUnsigned(addr, USER_END) < 0 ? regionAt(addr) : null;
            if (r == null || !permits(r.prot(), write)) {
                throw fault(addr, write, width);
            }
            if (Long.compareUnsigned(r.end() - a, len) >= 0) {
                return;
            }
            addr = r.end();
        }
    }

    // ---------------------------------------------------------------- internals

    private static boolean permits(int prot, boolean write) {
        // x86 page tables have no "write-only" or "execute-only" user pages: any access bit allows reads
        return write ? (prot & PROT_WRITE) != 0 : prot != PROT_NONE;
    }

    private byte[] pageData(long a) {
        return pages.get(a >>> PAGE_SHIFT);
    }

    private byte[] pageForRead(long a, int width) {
        long page = a >>> PAGE_SHIFT;
        int i = (int) page & (TLB_SIZE - 1);
        if (tlbRead[i] == page) {
            return tlbData[i];
        }
        return fillTlb(a, page, i, false, width);
    }

    private byte[] pageForWrite(long a, int width) {
        long page = a >>> PAGE_SHIFT;
        int i = (int) page & (TLB_SIZE - 1);
        byte[] data;
        if (tlbWrite[i] == page && (data = tlbData[i]) != null) {
            return data;
        }
        return writeMiss(a, page, i, width);
    }

    /** {@link #pageForWrite} past the TLB: kept out of it so that the hit inlines small into every store. */
    private byte[] writeMiss(long a, long page, int i, int width) {
        byte[] data = fillTlb(a, page, i, true, width);
        if (data == null) {
            if (pages.size() >= physicalPages) {
                throw outOfMemory();
            }
            data = new byte[(int) PAGE_SIZE];
            pages.put(page, data);
            tlbData[i] = data;
        }
        return data;
    }

    private byte[] fillTlb(long a, long page, int i, boolean write, int width) {
        Region r = Long.compareUnsigned(a, USER_END) < 0 ? regionAt(a) : null;
        if (r == null || !permits(r.prot(), write)) {
            throw fault(a, write, width);
        }
        byte[] data = pages.get(page);
        if (data == null && r.file() != null) {
            return fillFromFile(a, page, i, write, width, r);
        }
        tlbRead[i] = permits(r.prot(), false) ? page : -1L;
        tlbWrite[i] = permits(r.prot(), true) ? page : -1L;
        tlbData[i] = data;
        return data;
    }

    /**
     * A page of a file mapping that this process holds no private copy of: the file's cache page.
     * A shared mapping uses it for loads and stores (a store marks it dirty); a private one only
     * for loads, and copies it at the first store.
     */
    private byte[] fillFromFile(long a, long page, int i, boolean write, int width, Region r) {
        long index = r.filePage(a);
        byte[] cached = r.file().cachePage(index);
        if (cached == null) {
            throw new BusError(a, write, width, String.format("offset 0x%x of %s is beyond the end of the file (size 0x%x)",
                    index << PAGE_SHIFT, r.name(), r.file().size()));
        }
        if (cached.length != PAGE_SIZE) { // PageWords reads and writes a page's array without bounds checks
            throw new IllegalStateException("the cache page " + index + " of " + r.name() + " has " + cached.length
                    + " bytes, not " + PAGE_SIZE);
        }
        byte[] data = cached;
        boolean writable = permits(r.prot(), true);
        if (r.shared()) {
            if (write) {
                r.file().pageDirtied(index);
            }
            tlbWrite[i] = write ? page : -1L; // a later first store must come back here to mark the page dirty
        } else if (write) {
            if (pages.size() >= physicalPages) {
                throw outOfMemory();
            }
            data = cached.clone();
            pages.put(page, data);
            tlbWrite[i] = page;
            if (pageListener != null) {
                pageListener.madePrivate(page << PAGE_SHIFT, r);
            }
        } else {
            tlbWrite[i] = -1L; // the first store copies the page
        }
        tlbRead[i] = permits(r.prot(), false) ? page : -1L;
        if (!writable) {
            tlbWrite[i] = -1L;
        }
        tlbData[i] = data;
        return data;
    }

    private Segfault fault(long a, boolean write, int width) {
        String reason;
        if (Long.compareUnsigned(a, KERNEL_START) >= 0) {
            reason = "kernel address";
        } else if (Long.compareUnsigned(a, CANONICAL_LOW_END) >= 0) {
            reason = "non-canonical address";
        } else {
            Region r = regionAt(a);
            if (r == null) {
                reason = Long.compareUnsigned(a, NULL_GUARD_END) < 0
                        ? "address not mapped (null pointer dereference?)" : "address not mapped";
            } else if (write && (r.prot() & PROT_WRITE) == 0) {
                reason = "page not writable: " + r.permissions() + (r.name().isEmpty() ? "" : " " + r.name());
            } else {
                reason = "page not readable: " + r.permissions() + (r.name().isEmpty() ? "" : " " + r.name());
            }
        }
        return new Segfault(a, write, width, reason);
    }

    private long readSlow(long a, int width) {
        checkAccess(a, width, false, width);
        long v = 0;
        for (int k = width - 1; k >= 0; k--) {
            v = (v << 8) | read8(a + k);
        }
        return v;
    }

    private void writeSlow(long a, long v, int width) {
        checkAccess(a, width, true, width);
        for (int k = 0; k < width; k++) {
            write8(a + k, (int) (v >>> (8 * k)));
        }
    }

    /**
     * After an edit of the mappings in {@code [start, end)}: rebuild the lookup index and forget the
     * cached translations of those pages (only they can have changed data or permissions).
     */
    private void changed(long start, long end) {
        indexDirty = true;
        long first = start >>> PAGE_SHIFT;
        long count = (end - start) >>> PAGE_SHIFT;
        if (Long.compareUnsigned(count, TLB_SIZE) >= 0) {
            Arrays.fill(tlbRead, -1L);
            Arrays.fill(tlbWrite, -1L);
            Arrays.fill(tlbData, null);
            return;
        }
        for (long p = first; p != first + count; p++) {
            int slot = (int) p & (TLB_SIZE - 1);
            if (tlbRead[slot] == p || tlbWrite[slot] == p) {
                tlbRead[slot] = -1L;
                tlbWrite[slot] = -1L;
                tlbData[slot] = null;
            }
        }
    }

    private void rebuildIndex() {
        indexDirty = false;
        int n = regions.size();
        if (n > INDEX_LIMIT) {
            indexStart = null;
            indexRegion = null;
            return;
        }
        long[] starts = new long[n];
        Region[] rs = new Region[n];
        int i = 0;
        for (Region r : regions.values()) {
            starts[i] = r.start();
            rs[i++] = r;
        }
        indexStart = starts;
        indexRegion = rs;
    }

    /** Adds {@code r} (replacing a region with the same start), keeping the gaps and the counts. */
    private void putRegion(Region r) {
        if (regions.containsKey(r.start())) {
            removeRegion(r.start());
        }
        Map.Entry<Long, Region> lower = regions.lowerEntry(r.start());
        Map.Entry<Long, Region> higher = regions.higherEntry(r.start());
        if (higher != null) {
            gaps.remove(higher.getKey());
            gaps.add(higher.getKey(), higher.getKey() - r.end());
        }
        gaps.add(r.start(), r.start() - (lower == null ? 0 : lower.getValue().end()));
        regions.put(r.start(), r);
        if (Long.compareUnsigned(r.start(), USER_END) < 0) {
            mapCount++;
            mappedTotal += r.size();
        }
        indexDirty = true;
    }

    private void removeRegion(long start) {
        Region r = regions.remove(start);
        if (r == null) {
            return;
        }
        gaps.remove(start);
        Map.Entry<Long, Region> lower = regions.lowerEntry(start);
        Map.Entry<Long, Region> higher = regions.higherEntry(start);
        if (higher != null) {
            gaps.remove(higher.getKey());
            gaps.add(higher.getKey(), higher.getKey() - (lower == null ? 0 : lower.getValue().end()));
        }
        if (Long.compareUnsigned(start, USER_END) < 0) {
            mapCount--;
            mappedTotal -= r.size();
        }
        indexDirty = true;
    }

    private List<Region> overlapping(long start, long end) {
        List<Region> out = new ArrayList<>();
        Map.Entry<Long, Region> first = regions.floorEntry(start);
        Long from = first != null && Long.compareUnsigned(first.getValue().end(), start) > 0 ? first.getKey() : start;
        for (Region r : regions.tailMap(from, true).values()) {
            if (Long.compareUnsigned(r.start(), end) >= 0) {
                break;
            }
            if (Long.compareUnsigned(r.end(), start) > 0) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Removes {@code [start, end)} from the mappings; returns the files whose mappings were cut, or
     * null when nothing was mapped there (then no page holds data there either).
     */
    private List<FileBacking> removeRange(long start, long end) {
        List<Region> doomed = overlapping(start, end);
        if (doomed.isEmpty()) {
            return null;
        }
        List<FileBacking> files = new ArrayList<>(0);
        for (Region r : doomed) {
            if (r.file() != null && !files.contains(r.file())) {
                files.add(r.file());
            }
            removeRegion(r.start());
            if (Long.compareUnsigned(r.start(), start) < 0) {
                putRegion(r.withRange(r.start(), start));
            }
            if (Long.compareUnsigned(r.end(), end) > 0) {
                putRegion(r.withRange(end, r.end()));
            }
        }
        return files;
    }

    /**
     * Joins the region starting at {@code start} with compatible neighbours on both sides (and any
     * compatible regions inside {@code [start, end)}), as the kernel merges VMAs.
     */
    private void mergeAround(long start, long end) {
        Region here = regions.get(start);
        if (here == null) {
            return;
        }
        Map.Entry<Long, Region> before = regions.lowerEntry(start);
        if (before != null && before.getValue().end() == start && compatible(before.getValue(), here)) {
            removeRegion(start);
            here = merged(before.getValue(), here);
            putRegion(here);
        }
        while (true) {
            Region next = regions.get(here.end());
            if (next == null || !compatible(here, next) || Long.compareUnsigned(next.start(), end) > 0) {
                break;
            }
            removeRegion(next.start());
            here = merged(here, next);
            putRegion(here);
        }
    }

    private static Region merged(Region low, Region high) {
        return new Region(low.start(), high.end(), low.prot(), low.name(), low.offset());
    }

    private static boolean compatible(Region a, Region b) {
        // Anonymous memory, the heap and the stack merge; file mappings would need matching offsets,
        // and the program's and libraries' segments are kept apart as the loader maps them.
        return a.prot() == b.prot() && a.name().equals(b.name())
                && (a.name().isEmpty() || a.name().equals("[heap]") || a.name().equals("[stack]"));
    }

    private void discardPages(long start, long end) {
        long first = start >>> PAGE_SHIFT;
        long last = end >>> PAGE_SHIFT; // exclusive
        long count = last - first;
        if (count <= 4 * (long) pages.size() + 64) {
            for (long p = first; p != last; p++) {
                pages.remove(p);
            }
            return;
        }
        pages.removeIf(p -> Long.compareUnsigned(p, first) >= 0 && Long.compareUnsigned(p, last) < 0);
    }

    // ---------------------------------------------------------------- checkpoints (timeline time travel)

    /** Sees one page that holds data: its page number (address >>> PAGE_SHIFT) and its live bytes. */
    public interface PageVisitor {
        void page(long number, byte[] bytes);
    }

    /**
     * Every page that holds data, in no particular order; the bytes are the live page (copy them to
     * keep them). For checkpoints of a timeline's rebuilt process.
     */
    public void forEachPage(PageVisitor visitor) {
        pages.forEach((n, b) -> visitor.page(n, b));
    }

    /**
     * Replaces everything: the mappings become {@code mappings} (none with a file behind it) and the
     * pages holding data exactly {@code pageBytes[i]} at page number {@code pageNumbers[i]} (taken, not
     * copied). A checkpoint of a timeline's rebuilt process is restored this way.
     *
     * @throws IllegalArgumentException for a mapping with a page cache behind it, or a page that is not
     *         {@link #PAGE_SIZE} bytes
     */
    public void restore(List<Region> mappings, long[] pageNumbers, byte[][] pageBytes) {
        for (Region r : mappings) {
            if (r.file() != null) {
                throw new IllegalArgumentException("a mapping with a page cache cannot be restored: " + r);
            }
        }
        for (byte[] b : pageBytes) {
            if (b.length != PAGE_SIZE) { // the loads and stores count on whole pages (PageWords)
                throw new IllegalArgumentException("a page of " + b.length + " bytes cannot be restored");
            }
        }
        for (Region r : List.copyOf(regions.values())) {
            removeRegion(r.start());
        }
        pages.removeIf(p -> true);
        for (Region r : mappings) {
            putRegion(r);
        }
        for (int i = 0; i < pageNumbers.length; i++) {
            pages.put(pageNumbers[i], pageBytes[i]);
        }
        changed(0, USER_END);
    }

    private static long maxUnsigned(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static long minUnsigned(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }

    private static void checkRange(long start, long end) {
        if ((start & PAGE_MASK) != 0 || (end & PAGE_MASK) != 0 || Long.compareUnsigned(end, start) < 0) {
            throw new IllegalArgumentException(String.format("bad range 0x%x-0x%x", start, end));
        }
    }
}
