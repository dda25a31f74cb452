/**
 * glibc's ptmalloc2 (2.36 profile; seams for 2.23 … 2.43 in {@link io.mallocscope.runtime.malloc.GlibcProfile}),
 * with every header, bin link and global in simulated memory.
 *
 * <p>Public surface: {@link io.mallocscope.runtime.malloc.Malloc} (the malloc family, called by LibC),
 * {@link io.mallocscope.runtime.malloc.HeapView} and {@link io.mallocscope.runtime.malloc.HeapChecker}
 * (read-only inspection), {@link io.mallocscope.runtime.malloc.Transitions} with
 * {@link io.mallocscope.runtime.malloc.TransitionPoint} and {@link io.mallocscope.runtime.malloc.BinKind}
 * (the recording agent's hooks). Everything else mirrors malloc.c and stays package-private; where
 * the globals live is documented on {@code MallocState}.
 */
package io.mallocscope.runtime.malloc;
