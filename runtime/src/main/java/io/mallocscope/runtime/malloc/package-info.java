/**
 * glibc's ptmalloc2 as released in 2.23, 2.27, 2.31, 2.36, 2.41 and 2.43, one allocator whose
 * version differences are switches of {@link io.mallocscope.runtime.malloc.GlibcProfile}, with every
 * header, bin link and global in simulated memory. 2.31, 2.36, 2.41 and 2.43 are checked against the
 * real libraries; 2.27 and 2.23 are modelled from source (see GlibcProfile).
 *
 * <p>Public surface: {@link io.mallocscope.runtime.malloc.Malloc} (the malloc family, called by LibC),
 * {@link io.mallocscope.runtime.malloc.HeapView} and {@link io.mallocscope.runtime.malloc.HeapChecker}
 * (read-only inspection), {@link io.mallocscope.runtime.malloc.Transitions} with
 * {@link io.mallocscope.runtime.malloc.TransitionPoint} and {@link io.mallocscope.runtime.malloc.BinKind}
 * (the recording agent's hooks). Everything else mirrors malloc.c and stays package-private:
 * {@code Malloc} is the malloc/free/realloc/calloc core, {@code Tcache} the tcache_* functions,
 * {@code Memalign} _mid_memalign and _int_memalign, {@code Mallopt} mallopt, do_set_* and the tunables,
 * {@code MallocStats} mallinfo2, malloc_stats and malloc_info; where the globals live is documented on
 * {@code MallocState}. Every switch of GlibcProfile, the releases that set it and the methods that read
 * it are listed in docs/profiles.md.
 */
package io.mallocscope.runtime.malloc;
