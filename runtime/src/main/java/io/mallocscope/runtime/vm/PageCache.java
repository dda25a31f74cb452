package io.mallocscope.runtime.vm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The page cache of one file: its pages as the kernel holds them, shared by {@code read},
 * {@code write} and every mapping of the file in every process. A file of the in-memory tree (or a
 * shared anonymous mapping) lives only here; a file of a mounted host directory has a {@link Store}:
 * pages are loaded from it on first use, {@code write} and {@code ftruncate} go through to it at
 * once, and pages dirtied through shared mappings are written to it by {@link #writeBack}.
 *
 * <p>The bytes of the last page past the end of the file are kept zero by every size change and
 * never written to the store; a page wholly past the end does not exist ({@link #cachePage} is null
 * and a mapping of it raises SIGBUS).
 */
public final class PageCache implements FileBacking {
    private static final int PAGE = (int) AddressSpace.PAGE_SIZE;

    /** Where a host file's bytes live. */
    public interface Store {
        /** Reads the file's bytes from {@code offset} into {@code dst} (fewer at its end). */
        void load(long offset, byte[] dst, int len) throws IOException;

        /** Writes {@code len} bytes of {@code src} at {@code offset}. */
        void store(long offset, byte[] src, int srcOff, int len) throws IOException;

        /** Sets the file's length. */
        void setLength(long length) throws IOException;
    }

    private final String device;
    private final long inode;
    private Store store;
    private long size;
    private final Map<Long, byte[]> pages = new HashMap<>();
    private final TreeSet<Long> dirty = new TreeSet<>();
    private final List<AddressSpace> mappers = new ArrayList<>();

    public PageCache(String device, long inode, long size, Store store) {
        this.device = device;
        this.inode = inode;
        this.size = size;
        this.store = store;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public long inode() {
        return inode;
    }

    /** True while the file's bytes also live on the host. */
    public boolean hasStore() {
        return store != null;
    }

    @Override
    public byte[] cachePage(long index) {
        if (index < 0 || index >= (size + PAGE - 1) / PAGE) {
            return null;
        }
        return page(index);
    }

    private byte[] page(long index) {
        byte[] p = pages.get(index);
        if (p == null) {
            p = new byte[PAGE];
            long start = index * PAGE;
            if (store != null && start < size) {
                try {
                    store.load(start, p, (int) Math.min(PAGE, size - start));
                } catch (IOException e) {
                    // the page reads as zeros; the host file changed under us
                }
            }
            pages.put(index, p);
        }
        return p;
    }

    @Override
    public void pageDirtied(long index) {
        dirty.add(index);
    }

    @Override
    public void mappedBy(AddressSpace as) {
        for (AddressSpace m : mappers) {
            if (m == as) {
                return;
            }
        }
        mappers.add(as);
    }

    @Override
    public void unmappedBy(AddressSpace as) {
        mappers.removeIf(m -> m == as);
    }

    /** How many address spaces map this file. */
    public int mapperCount() {
        return mappers.size();
    }

    /** Copies up to {@code len} bytes from {@code offset} (fewer at the end of the file); returns how many. */
    public int read(long offset, byte[] dst, int dstOff, int len) {
        if (offset >= size) {
            return 0;
        }
        int n = (int) Math.min(len, size - offset);
        int done = 0;
        while (done < n) {
            long at = offset + done;
            int in = (int) (at % PAGE);
            int k = Math.min(n - done, PAGE - in);
            System.arraycopy(page(at / PAGE), in, dst, dstOff + done, k);
            done += k;
        }
        return n;
    }

    /**
     * Writes {@code len} bytes at {@code offset}, growing the file when they reach past its end;
     * a host file is written at once. Nothing changes when the host write fails.
     */
    public void write(long offset, byte[] src, int srcOff, int len) throws IOException {
        if (len == 0) {
            return;
        }
        if (store != null) {
            store.store(offset, src, srcOff, len);
        }
        if (offset + len > size) {
            zeroTail(size); // bytes a mapping left past the old end must not show inside the file
        }
        int done = 0;
        while (done < len) {
            long at = offset + done;
            int in = (int) (at % PAGE);
            int k = Math.min(len - done, PAGE - in);
            System.arraycopy(src, srcOff + done, page(at / PAGE), in, k);
            done += k;
        }
        size = Math.max(size, offset + len);
    }

    /**
     * {@code ftruncate}: sets the size. Pages wholly past a shrunk end leave the cache (dirty or
     * not) and every mapping, private copies included, so touching them raises SIGBUS; the part of
     * the last page past the end is zeroed.
     */
    public void truncate(long newSize) throws IOException {
        if (store != null) {
            store.setLength(newSize);
        }
        long old = size;
        if (newSize < old) {
            long keep = (newSize + PAGE - 1) / PAGE;
            pages.keySet().removeIf(i -> i >= keep);
            dirty.removeIf(i -> i >= keep);
            zeroTail(newSize);
            size = newSize;
            for (AddressSpace as : List.copyOf(mappers)) {
                as.fileTruncated(this, newSize);
            }
        } else {
            zeroTail(old);
            size = newSize;
        }
    }

    private void zeroTail(long from) {
        int in = (int) (from % PAGE);
        byte[] p = in == 0 ? null : pages.get(from / PAGE);
        if (p != null) {
            java.util.Arrays.fill(p, in, PAGE, (byte) 0);
        }
    }

    /** The dirty pages among {@code [fromPage, toPage)}, lowest first. */
    public List<Long> dirtyPages(long fromPage, long toPage) {
        return new ArrayList<>(dirty.subSet(fromPage, toPage));
    }

    /**
     * Writes the dirty pages among {@code [fromPage, toPage)} back and marks them clean (only their
     * bytes inside the file: never past its end). Every mapping's translation of this file is
     * forgotten, so that the next store through a shared mapping dirties its page again. Returns the
     * pages written, lowest first. When the host refuses a page, the pages are still marked clean
     * (the kernel, too, reports a failed write-back once) and the error is thrown after the rest.
     */
    public List<Long> writeBack(long fromPage, long toPage) throws IOException {
        List<Long> written = dirtyPages(fromPage, toPage);
        if (written.isEmpty()) {
            return written;
        }
        IOException failure = null;
        for (long index : written) {
            dirty.remove(index);
            long start = index * PAGE;
            if (store == null || start >= size) {
                continue;
            }
            try {
                store.store(start, pages.get(index), 0, (int) Math.min(PAGE, size - start));
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        for (AddressSpace as : mappers) {
            as.forgetTranslations(this);
        }
        if (failure != null) {
            throw failure;
        }
        return written;
    }

    /** The file was removed from the host: its bytes stay here for whoever still has it open or mapped. */
    public void detach() {
        for (long i = 0; i < (size + PAGE - 1) / PAGE; i++) {
            page(i);
        }
        store = null;
        dirty.clear();
    }
}
