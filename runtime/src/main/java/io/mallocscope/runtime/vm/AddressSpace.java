package io.mallocscope.runtime.vm;

import io.mallocscope.runtime.Segfault;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The 64-bit virtual address space of the simulated process: regions with permissions, and sparse
 * pages behind them. A page costs Java memory only once something is written to it; reading an
 * untouched page yields zeros, as a fresh anonymous mapping does on Linux.
 *
 * <p>Every access checks the permissions of the page it touches; an access to unmapped memory, to
 * kernel space or against the page's protection raises a {@link Segfault} naming the address.
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
    /** The start of the kernel half of the canonical address space. */
    public static final long KERNEL_START = 0xffff800000000000L;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int PAGE_MASK = (int) PAGE_SIZE - 1;
    private static final int TLB_SIZE = 64;

    private final TreeMap<Long, Region> regions = new TreeMap<>(Long::compareUnsigned);
    private final PageMap pages = new PageMap();

    // A small direct-mapped cache of page translations: the allocator alternates between the arena
    // (in libc's data) and a few heap pages, so one entry would thrash.
    private final long[] tlbPage = new long[TLB_SIZE];
    private final byte[][] tlbData = new byte[TLB_SIZE][];
    private final int[] tlbProt = new int[TLB_SIZE];

    public AddressSpace() {
        Arrays.fill(tlbPage, -1L);
    }

    // ---------------------------------------------------------------- mappings

    /**
     * Maps {@code [start, end)} with the given protection and name, replacing whatever was mapped
     * there (as {@code MAP_FIXED} does). The new pages read as zeros. Both ends must be page-aligned.
     */
    public void map(long start, long end, int prot, String name) {
        checkRange(start, end);
        removeRange(start, end);
        discardPages(start, end);
        regions.put(start, new Region(start, end, prot, name));
        mergeAround(start, end);
        flushTlb();
    }

    /** Removes every mapping in {@code [start, end)}, leaving a hole. Page-aligned ends. */
    public void unmap(long start, long end) {
        checkRange(start, end);
        removeRange(start, end);
        discardPages(start, end);
        flushTlb();
    }

    /** Changes the protection of {@code [start, end)}; parts of the range that are unmapped stay so. */
    public void protect(long start, long end, int prot) {
        checkRange(start, end);
        List<Region> affected = overlapping(start, end);
        removeRange(start, end);
        for (Region r : affected) {
            long s = Math.max(r.start(), start);
            long e = Math.min(r.end(), end);
            regions.put(s, r.withProt(s, e, prot));
        }
        mergeAround(start, end);
        flushTlb();
    }

    /**
     * Moves the mapping {@code [from, from+len)} with its contents to {@code [to, to+len)}; the
     * destination must be free. Used by {@code mremap}.
     */
    public void move(long from, long to, long len) {
        Region source = regionAt(from);
        if (source == null) {
            throw new IllegalArgumentException("nothing mapped at 0x" + Long.toHexString(from));
        }
        List<byte[]> data = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        long endPage = (from + len) >>> PAGE_SHIFT;
        pages.forEach((page, bytes) -> {
            if (page >= (from >>> PAGE_SHIFT) && page < endPage) {
                offsets.add((page << PAGE_SHIFT) - from);
                data.add(bytes);
            }
        });
        unmap(from, from + len);
        map(to, to + len, source.prot(), source.name());
        for (int i = 0; i < data.size(); i++) {
            pages.put((to + offsets.get(i)) >>> PAGE_SHIFT, data.get(i));
        }
        flushTlb();
    }

    /** Grows or shrinks the region that ends at {@code oldEnd} so that it ends at {@code newEnd}. */
    public void resizeEnd(long regionStart, long oldEnd, long newEnd) {
        Region r = regionAt(regionStart);
        if (r == null) {
            throw new IllegalArgumentException("nothing mapped at 0x" + Long.toHexString(regionStart));
        }
        if (Long.compareUnsigned(newEnd, oldEnd) < 0) {
            unmap(newEnd, oldEnd);
        } else if (newEnd != oldEnd) {
            map(oldEnd, newEnd, r.prot(), r.name());
        }
    }

    /** The region containing {@code address}, or null. */
    public Region regionAt(long address) {
        Map.Entry<Long, Region> e = regions.floorEntry(address);
        if (e == null || !e.getValue().contains(address)) {
            return null;
        }
        return e.getValue();
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

    /**
     * The highest page-aligned address {@code a} with {@code [a, a+len)} free, {@code a >= low} and
     * {@code a+len <= high}; -1 if there is none. This is the kernel's top-down search.
     */
    public long findFreeTopDown(long len, long low, long high) {
        long gapEnd = high;
        for (Region r : regions.descendingMap().values()) {
            if (Long.compareUnsigned(r.start(), high) >= 0) {
                continue;
            }
            long regionEnd = Long.compareUnsigned(r.end(), high) > 0 ? high : r.end();
            if (Long.compareUnsigned(gapEnd - regionEnd, len) >= 0 && Long.compareUnsigned(gapEnd - len, low) >= 0
                    && Long.compareUnsigned(regionEnd, gapEnd) <= 0) {
                return gapEnd - len;
            }
            gapEnd = Long.compareUnsigned(r.start(), gapEnd) < 0 ? r.start() : gapEnd;
        }
        if (Long.compareUnsigned(gapEnd, low) >= 0 && Long.compareUnsigned(gapEnd - low, len) >= 0) {
            return gapEnd - len;
        }
        return -1;
    }

    /** All regions, lowest address first. */
    public List<Region> regions() {
        return List.copyOf(regions.values());
    }

    /** The regions as {@code /proc/PID/maps} lists them. */
    public String maps() {
        StringBuilder sb = new StringBuilder();
        for (Region r : regions.values()) {
            String head = String.format("%012x-%012x %s %08x 00:00 0", r.start(), r.end(), r.permissions(), 0);
            sb.append(head);
            if (!r.name().isEmpty()) {
                sb.append(" ".repeat(Math.max(1, 73 - head.length()))).append(r.name());
            }
            sb.append('\n');
        }
        return sb.toString();
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
            return p == null ? 0 : (short) SHORT.get(p, off) & 0xffff;
        }
        return (int) readSlow(a, 2);
    }

    public int read32(long a) {
        int off = (int) a & PAGE_MASK;
        if (off <= PAGE_MASK - 3) {
            byte[] p = pageForRead(a, 4);
            return p == null ? 0 : (int) INT.get(p, off);
        }
        return (int) readSlow(a, 4);
    }

    public long read64(long a) {
        int off = (int) a & PAGE_MASK;
        if (off <= PAGE_MASK - 7) {
            byte[] p = pageForRead(a, 8);
            return p == null ? 0 : (long) LONG.get(p, off);
        }
        return readSlow(a, 8);
    }

    public void readBytes(long a, byte[] dst, int dstOff, int len) {
        checkAccess(a, len, false);
        int done = 0;
        while (done < len) {
            long addr = a + done;
            int off = (int) addr & PAGE_MASK;
            int n = Math.min(len - done, (int) PAGE_SIZE - off);
            byte[] p = pageForRead(addr, 1);
            if (p == null) {
                Arrays.fill(dst, dstOff + done, dstOff + done + n, (byte) 0);
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
            SHORT.set(pageForWrite(a, 2), off, (short) v);
        } else {
            writeSlow(a, v, 2);
        }
    }

    public void write32(long a, int v) {
        int off = (int) a & PAGE_MASK;
        if (off <= PAGE_MASK - 3) {
            INT.set(pageForWrite(a, 4), off, v);
        } else {
            writeSlow(a, v, 4);
        }
    }

    public void write64(long a, long v) {
        int off = (int) a & PAGE_MASK;
        if (off <= PAGE_MASK - 7) {
            LONG.set(pageForWrite(a, 8), off, v);
        } else {
            writeSlow(a, v, 8);
        }
    }

    public void writeBytes(long a, byte[] src, int srcOff, int len) {
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

    /** Sets {@code len} bytes at {@code a} to {@code value}; untouched pages stay untouched for zero. */
    public void fill(long a, int value, long len) {
        checkAccess(a, len, true);
        long done = 0;
        while (done < len) {
            long addr = a + done;
            int off = (int) addr & PAGE_MASK;
            int n = (int) Math.min(len - done, PAGE_SIZE - off);
            if (value == 0 && n == PAGE_SIZE && pageData(addr) == null) {
                done += n; // a whole untouched page already reads as zeros
                continue;
            }
            Arrays.fill(pageForWrite(addr, 1), off, off + n, (byte) value);
            done += n;
        }
    }

    /**
     * Checks that {@code [a, a+len)} may be read (or written) and raises the {@link Segfault} the
     * first bad byte would raise. For bulk operations that must fail before changing anything.
     */
    public void checkAccess(long a, long len, boolean write) {
        if (len <= 0) {
            return;
        }
        long page = a >>> PAGE_SHIFT;
        long last = (a + len - 1) >>> PAGE_SHIFT;
        if (Long.compareUnsigned(a + len - 1, a) < 0) {
            throw fault(a, write, (int) Math.min(len, Integer.MAX_VALUE));
        }
        for (long p = page; Long.compareUnsigned(p, last) <= 0; ) {
            long addr = p == page ? a : p << PAGE_SHIFT;
            Region r = regionAt(addr);
            if (r == null || !(write ? r.writable() : r.readable())) {
                throw fault(addr, write, (int) Math.min(len, Integer.MAX_VALUE));
            }
            p = (r.end() - 1 >>> PAGE_SHIFT) + 1; // skip to the end of this region
        }
    }

    // ---------------------------------------------------------------- internals

    private byte[] pageData(long a) {
        return pages.get(a >>> PAGE_SHIFT);
    }

    private byte[] pageForRead(long a, int width) {
        long page = a >>> PAGE_SHIFT;
        int i = (int) page & (TLB_SIZE - 1);
        if (tlbPage[i] == page && (tlbProt[i] & PROT_READ) != 0) {
            return tlbData[i];
        }
        return fillTlb(a, page, i, false, width);
    }

    private byte[] pageForWrite(long a, int width) {
        long page = a >>> PAGE_SHIFT;
        int i = (int) page & (TLB_SIZE - 1);
        byte[] data;
        if (tlbPage[i] == page && (tlbProt[i] & PROT_WRITE) != 0) {
            data = tlbData[i];
        } else {
            data = fillTlb(a, page, i, true, width);
        }
        if (data == null) {
            data = new byte[(int) PAGE_SIZE];
            pages.put(page, data);
            tlbData[i] = data;
        }
        return data;
    }

    private byte[] fillTlb(long a, long page, int i, boolean write, int width) {
        Region r = regionAt(a);
        if (r == null || !(write ? r.writable() : r.readable())) {
            throw fault(a, write, width);
        }
        tlbPage[i] = page;
        tlbProt[i] = r.prot();
        tlbData[i] = pages.get(page);
        return tlbData[i];
    }

    private Segfault fault(long a, boolean write, int width) {
        String reason;
        if (Long.compareUnsigned(a, KERNEL_START) >= 0) {
            reason = "kernel address";
        } else if (Long.compareUnsigned(a, USER_END) >= 0) {
            reason = "non-canonical address";
        } else {
            Region r = regionAt(a);
            if (r == null) {
                reason = a < PAGE_SIZE * 16 ? "address not mapped (null pointer dereference?)" : "address not mapped";
            } else if (write && !r.writable()) {
                reason = "page not writable: " + r.permissions() + (r.name().isEmpty() ? "" : " " + r.name());
            } else {
                reason = "page not readable: " + r.permissions() + (r.name().isEmpty() ? "" : " " + r.name());
            }
        }
        return new Segfault(a, write, width, reason);
    }

    private long readSlow(long a, int width) {
        checkAccess(a, width, false);
        long v = 0;
        for (int k = width - 1; k >= 0; k--) {
            v = (v << 8) | read8(a + k);
        }
        return v;
    }

    private void writeSlow(long a, long v, int width) {
        checkAccess(a, width, true);
        for (int k = 0; k < width; k++) {
            write8(a + k, (int) (v >>> (8 * k)));
        }
    }

    private void flushTlb() {
        Arrays.fill(tlbPage, -1L);
        Arrays.fill(tlbData, null);
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

    private void removeRange(long start, long end) {
        for (Region r : overlapping(start, end)) {
            regions.remove(r.start());
            if (Long.compareUnsigned(r.start(), start) < 0) {
                regions.put(r.start(), r.withRange(r.start(), start));
            }
            if (Long.compareUnsigned(r.end(), end) > 0) {
                regions.put(end, r.withRange(end, r.end()));
            }
        }
    }

    /** Joins neighbours with the same permissions and name, as the kernel merges compatible VMAs. */
    private void mergeAround(long start, long end) {
        Map.Entry<Long, Region> before = regions.lowerEntry(start);
        Region here = regions.get(start);
        if (here == null) {
            return;
        }
        if (before != null && before.getValue().end() == start && compatible(before.getValue(), here)) {
            regions.remove(start);
            here = before.getValue().withRange(before.getKey(), here.end());
            regions.put(here.start(), here);
        }
        // the range may now hold several regions (protect); merge forward from the start
        Region cur = regions.get(here.start());
        while (true) {
            Region next = regions.get(cur.end());
            if (next == null || !compatible(cur, next) || Long.compareUnsigned(next.start(), end) > 0) {
                break;
            }
            regions.remove(next.start());
            cur = cur.withRange(cur.start(), next.end());
            regions.put(cur.start(), cur);
        }
    }

    private static boolean compatible(Region a, Region b) {
        // Only anonymous memory and the heap merge: file mappings differ in offset, the stack is one VMA.
        return a.prot() == b.prot() && a.name().equals(b.name()) && (a.name().isEmpty() || a.name().equals("[heap]"));
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

    private static void checkRange(long start, long end) {
        if ((start & PAGE_MASK) != 0 || (end & PAGE_MASK) != 0 || Long.compareUnsigned(end, start) < 0) {
            throw new IllegalArgumentException(String.format("bad range 0x%x-0x%x", start, end));
        }
    }
}
