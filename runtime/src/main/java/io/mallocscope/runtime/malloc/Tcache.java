package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.vm.AddressSpace;

import static io.mallocscope.runtime.malloc.MallocState.*;

/**
 * The per-thread cache (tcache_init, tcache_put, tcache_get and their 2.42+ large-bin forms, the
 * double-free walk), as in malloc.c. The struct and its bins live in simulated memory where glibc puts
 * them; which layout and rules apply is read from {@link GlibcProfile} (counts or slots, key, safe-linking,
 * lazy creation, large bins).
 */
final class Tcache {
    private final Malloc malloc;
    private final AddressSpace mem;
    private final GlibcProfile profile;

    Tcache(Malloc malloc) {
        this.malloc = malloc;
        this.mem = malloc.mem;
        this.profile = malloc.profile;
    }

    /** large_csize2tidx (2.42+): 64 for 0x420..0x7f0, 65 for 0x800..0xff0, … by bit length. */
    static long largeCsize2tidx(long nb) {
        int clzSmall = Integer.numberOfLeadingZeros((int) tidx2csize(TCACHE_MAX_BINS - 1));
        return TCACHE_MAX_BINS + clzSmall - Integer.numberOfLeadingZeros((int) nb);
    }

    static long tidx2csize(long idx) {
        return idx * MALLOC_ALIGNMENT + MINSIZE;
    }

    /** tcache_init: the struct from _int_malloc, zeroed (2.43 uses {@link #tcacheInitLazy}). */
    void tcacheInit() {
        if (mem.read8(malloc.tp + TCACHE_SHUTTING_DOWN_OFF) != 0) {
            return;
        }
        long a = malloc.arenas.arenaGet(profile.tcacheStructRequest);
        malloc.useArena(a);
        long victim = malloc.intMalloc(profile.tcacheStructRequest);
        if (victim == 0 && a != 0) {
            malloc.useArena(malloc.arenas.arenaGetRetry(a, profile.tcacheStructRequest));
            victim = malloc.intMalloc(profile.tcacheStructRequest);
        }
        if (victim != 0) {
            malloc.w64(malloc.tp + TCACHE_OFF, victim);
            mem.fill(victim, 0, profile.tcacheStructRequest);
        }
    }

    void maybeInitTcache() {
        if (profile.hasTcache && !profile.tcacheMadeLazily && malloc.tcache() == 0) {
            tcacheInit();
        }
    }

    /**
     * 2.43's tcache_init, run at most once: it first marks the tcache disabled (we use
     * tcache_shutting_down for that), so a failure or {@code tcache_count == 0} leaves it off for good.
     * From free the struct comes through malloc's slow path (760 bytes: chunk 0x300); from inside
     * _int_malloc glibc passes the already rounded size, so that chunk is 0x310.
     */
    void tcacheInitLazy(boolean insideIntMalloc) {
        mem.write8(malloc.tp + TCACHE_SHUTTING_DOWN_OFF, 1);
        long count = malloc.mp(MP_TCACHE_COUNT);
        if (count == 0) {
            return;
        }
        long bytes = profile.tcacheStructRequest;
        long victim = insideIntMalloc ? malloc.intMalloc(request2size(bytes)) : malloc.malloc2(bytes);
        if (victim != 0) {
            mem.fill(victim, 0, bytes);
            for (int i = 0; i < profile.tcacheMaxBins; i++) {
                mem.write16(victim + 2L * i, (int) count);
            }
            malloc.w64(malloc.tp + TCACHE_OFF, victim);
        }
    }

    /** 2.43: no tcache made yet and none refused (tcache_inactive). */
    boolean tcacheInactive() {
        return malloc.tcache() == 0 && mem.read8(malloc.tp + TCACHE_SHUTTING_DOWN_OFF) == 0;
    }

    /**
     * tcache_thread_shutdown, for the running thread: the tcache is disabled for good, then every cached
     * chunk and the tcache struct itself go back to their own arenas (through free up to 2.41, straight
     * to _int_free_chunk in 2.43).
     */
    void tcacheThreadShutdown() {
        if (!profile.hasTcache) {
            return;
        }
        long tc = malloc.tcache();
        mem.write8(malloc.tp + TCACHE_SHUTTING_DOWN_OFF, 1);
        if (tc == 0) {
            return;
        }
        malloc.w64(malloc.tp + TCACHE_OFF, 0);
        for (int i = 0; i < profile.tcacheMaxBins; i++) {
            long slot = tcacheEntryAddr(tc, i);
            long e;
            int guard = 0;
            while ((e = malloc.r64(slot)) != 0) {
                if (profile.alignmentChecks && (e & MALLOC_ALIGN_MASK) != 0) {
                    throw malloc.printerr("tcache_thread_shutdown(): unaligned tcache chunk detected");
                }
                malloc.w64(slot, malloc.revealPtr(e));
                if (profile.internalFreesCoalesceOnly) { // 2.43: _int_free_chunk, no tcache on the way
                    malloc.w64(e + 8, 0); // e->key
                    freeChunkToItsArena(e - CHUNK_HDR_SZ);
                } else {
                    malloc.free(e);
                }
                if (++guard > LOOP_GUARD) {
                    throw new IllegalStateException("tcache list does not end");
                }
            }
        }
        if (profile.internalFreesCoalesceOnly) {
            freeChunkToItsArena(tc - CHUNK_HDR_SZ);
        } else {
            malloc.free(tc);
        }
    }

    private void freeChunkToItsArena(long p) {
        malloc.useArena(malloc.arenaForChunk(p));
        malloc.intFreeChunk(p, malloc.chunksize(p), false, Transitions.FREE);
    }

    /** The number of entries in bin {@code idx}. */
    int tcacheCount(long tc, long idx) {
        if (profile.tcacheByteCounts) {
            return (byte) mem.read8(tc + idx);
        }
        if (profile.tcacheSlotsCountDown) {
            return (int) (malloc.mp(MP_TCACHE_COUNT) - mem.read16(tc + 2 * idx));
        }
        return mem.read16(tc + 2 * idx);
    }

    /** Whether bin {@code idx} takes one more entry (counts[idx] &lt; tcache_count, or num_slots[idx] != 0). */
    boolean tcacheHasRoom(long tc, long idx) {
        if (profile.tcacheSlotsCountDown) {
            return mem.read16(tc + 2 * idx) != 0;
        }
        if (profile.tcacheByteCounts) {
            // a signed char compared with a size_t: -128 after 127 puts counts as "full"
            return Long.compareUnsigned((byte) mem.read8(tc + idx), malloc.mp(MP_TCACHE_COUNT)) < 0;
        }
        return mem.read16(tc + 2 * idx) < malloc.mp(MP_TCACHE_COUNT);
    }

    /** malloc's test: counts[idx] &gt; 0 (2.30–2.41), entries[idx] != NULL (2.27, 2.43). */
    boolean tcacheNonEmpty(long tc, long idx) {
        if (profile.tcacheByteCounts || profile.tcacheSlotsCountDown) {
            return tcacheEntry(tc, idx) != 0;
        }
        return mem.read16(tc + 2 * idx) > 0;
    }

    long tcacheEntryAddr(long tc, long idx) {
        return tc + profile.tcacheEntriesOffset + 8 * idx;
    }

    long tcacheEntry(long tc, long idx) {
        return malloc.r64(tc + profile.tcacheEntriesOffset + 8 * idx);
    }

    /** Adds {@code delta} entries to bin {@code idx}'s counter; returns the entry count after. */
    int tcacheCountAdd(long tc, long idx, int delta) {
        if (profile.tcacheByteCounts) {
            int c = (byte) (mem.read8(tc + idx) + delta);
            mem.write8(tc + idx, c & 0xff);
            return c;
        }
        if (profile.tcacheSlotsCountDown) {
            int slots = (mem.read16(tc + 2 * idx) - delta) & 0xffff;
            mem.write16(tc + 2 * idx, slots);
            return (int) (malloc.mp(MP_TCACHE_COUNT) - slots);
        }
        int count = (mem.read16(tc + 2 * idx) + delta) & 0xffff;
        mem.write16(tc + 2 * idx, count);
        return count;
    }

    /** tcache_put: push the chunk's mem onto bin {@code idx}. */
    void tcachePut(long chunk, long idx) {
        long tc = malloc.tcache();
        tcachePutAt(tc, chunk, idx, tcacheEntryAddr(tc, idx), true);
    }

    /**
     * tcache_put_n: links the chunk in at {@code pos}, the bin head or (2.43 large bins) the next
     * field of an entry; a link stored in an entry is safe-linked, one stored in the head is not.
     */
    void tcachePutAt(long tc, long chunk, long idx, long pos, boolean atHead) {
        long e = chunk + CHUNK_HDR_SZ;
        if (profile.tcacheKey) {
            malloc.w64(e + 8, profile.randomTcacheKey ? malloc.r64(malloc.TCACHE_KEY) : tc);
        }
        long next = atHead ? malloc.r64(pos) : malloc.revealPtr(pos);
        malloc.w64(e, malloc.protectPtr(e, next));
        malloc.w64(pos, atHead ? e : malloc.protectPtr(pos, e));
        int count = tcacheCountAdd(tc, idx, 1);
        Transitions.tcachePut(chunk, malloc.chunksize(chunk), (int) idx, count);
    }

    /** tcache_get: pop the head of bin {@code idx}; returns the mem pointer. */
    long tcacheGet(long idx) {
        long tc = malloc.tcache();
        return tcacheGetAt(tc, idx, tcacheEntryAddr(tc, idx), true);
    }

    /** tcache_get_n: unlinks the entry found at {@code pos}; returns its mem pointer. */
    long tcacheGetAt(long tc, long idx, long pos, boolean atHead) {
        long e = atHead ? malloc.r64(pos) : malloc.revealPtr(pos);
        if (profile.alignmentChecks && (e & MALLOC_ALIGN_MASK) != 0) {
            throw malloc.printerr("malloc(): unaligned tcache chunk detected");
        }
        long next = malloc.revealPtr(e);
        malloc.w64(pos, atHead ? next : malloc.protectPtr(pos, next));
        int count = tcacheCountAdd(tc, idx, -1);
        if (profile.tcacheKey) {
            malloc.w64(e + 8, 0);
        }
        long chunk = e - CHUNK_HDR_SZ;
        Transitions.tcacheGet(chunk, malloc.chunksize(chunk), (int) idx, count);
        return e;
    }

    /** tcache_location_large (2.42+): the link before the first entry whose chunk is at least nb. */
    long tcacheLocationLarge(long tc, long idx, long nb) {
        long pos = tcacheEntryAddr(tc, idx);
        long te = malloc.r64(pos);
        int guard = 0;
        while (te != 0 && Long.compareUnsigned(malloc.chunksize(te - CHUNK_HDR_SZ), nb) < 0) {
            pos = te;
            te = malloc.revealPtr(te);
            if (++guard > LOOP_GUARD) {
                throw new IllegalStateException("tcache list does not end");
            }
        }
        return pos;
    }

    /** tcache_put_large: keeps a large bin sorted by size, equal sizes LIFO. */
    void tcachePutLarge(long chunk, long idx) {
        long tc = malloc.tcache();
        long pos = tcacheLocationLarge(tc, idx, malloc.chunksize(chunk));
        tcachePutAt(tc, chunk, idx, pos, pos == tcacheEntryAddr(tc, idx));
    }

    /** tcache_get_large: the first entry of exactly nb bytes, or 0. */
    long tcacheGetLarge(long idx, long nb) {
        long tc = malloc.tcache();
        long pos = tcacheLocationLarge(tc, idx, nb);
        boolean atHead = pos == tcacheEntryAddr(tc, idx);
        long te = atHead ? malloc.r64(pos) : malloc.revealPtr(pos);
        if (te == 0 || malloc.chunksize(te - CHUNK_HDR_SZ) != nb) {
            return 0;
        }
        return tcacheGetAt(tc, idx, pos, atHead);
    }

    /** 2.43's tcache lookup in malloc and calloc: a small bin's head, or an exact fit in a large bin; 0 on a miss. */
    long tcacheLookup(long nb) {
        long tc = malloc.tcache();
        if (tc == 0 || Long.compareUnsigned(nb, malloc.mp(MP_TCACHE_MAX_BYTES)) >= 0) {
            return 0;
        }
        long idx = csize2tidx(nb);
        if (idx < TCACHE_MAX_BINS) {
            return tcacheEntry(tc, idx) != 0 ? tcacheGet(idx) : 0;
        }
        return tcacheGetLarge(largeCsize2tidx(nb), nb);
    }

    /**
     * tcache_double_free_verify: walks the bins the release checks (2.31–2.41: the chunk's own bin,
     * 2.43: all 76), aborting if the chunk is there; returns normally when it is not.
     */
    void tcacheDoubleFreeVerify(long tc, long e, long ownIdx) {
        int from = profile.tcacheWalkAllBins ? 0 : (int) ownIdx;
        int to = profile.tcacheWalkAllBins ? profile.tcacheMaxBins : (int) ownIdx + 1;
        long count = malloc.mp(MP_TCACHE_COUNT);
        for (int i = from; i < to; i++) {
            long cnt = 0;
            for (long tmp = tcacheEntry(tc, i); tmp != 0; tmp = malloc.revealPtr(tmp), ++cnt) {
                if (profile.tcacheWalkLimit && Long.compareUnsigned(cnt, count) >= 0) {
                    throw malloc.printerr("free(): too many chunks detected in tcache");
                }
                if (profile.alignmentChecks && (tmp & MALLOC_ALIGN_MASK) != 0) {
                    throw malloc.printerr("free(): unaligned chunk detected in tcache 2");
                }
                if (tmp == e) {
                    throw malloc.printerr("free(): double free detected in tcache 2");
                }
                if (cnt > LOOP_GUARD) {
                    throw new IllegalStateException("tcache list does not end");
                }
            }
        }
    }
}
