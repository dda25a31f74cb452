package io.mallocscope.runtime;

/**
 * Told about each block a program's {@link LibC} hands out or takes back, after the call has done
 * its work: register one with {@link LibC#addAllocationListener}. Test tools use it to remember who
 * allocated each block that is still live (a leak report's call sites); recording the whole run is
 * the agent's job, not a listener's.
 *
 * <p>Which calls report what:
 * <ul>
 *   <li>{@code malloc}, {@code calloc}, {@code memalign}, {@code aligned_alloc}, {@code posix_memalign}
 *       (the pointer it stored), {@code valloc}, {@code pvalloc} and both {@code strdup}s: {@link #allocated}
 *       when they return a block; nothing when they fail.</li>
 *   <li>{@code free}: {@link #released}, unless the pointer is NULL.</li>
 *   <li>{@code realloc} and {@code reallocarray}: {@link #released} for the old block, then
 *       {@link #allocated} for the new one, also when the block was resized in place and the pointer is
 *       the same (the block now has its new size). {@code realloc(NULL, n)} only allocates;
 *       {@code realloc(p, 0)} only releases (glibc frees {@code p} and returns NULL); a failed call
 *       reports nothing, as the old block is still the program's.</li>
 *   <li>The buffer glibc mallocs for {@code stdout} at the first output ({@code printf}, {@code puts},
 *       …, unless the program called {@code setbuf(stdout, NULL)}): {@link #allocated} with the function
 *       {@link #STDIO_BUFFER}. It is never freed, and is not the program's leak.</li>
 * </ul>
 * Listeners run on the program's thread, in the order they were added, inside the LibC call; they must
 * not call the LibC they listen to. With no listener registered a call costs one field read more.
 */
public interface AllocationListener {
    /** The function named for the buffer stdio allocates for {@code stdout}: not a call the program made. */
    String STDIO_BUFFER = "stdio buffer";

    /**
     * A block was allocated.
     *
     * @param function  the C function the program called ({@code "malloc"}, {@code "calloc"},
     *                  {@code "realloc"}, {@code "reallocarray"}, {@code "memalign"}, {@code "aligned_alloc"},
     *                  {@code "posix_memalign"}, {@code "valloc"}, {@code "pvalloc"}, {@code "strdup"}), or
     *                  {@link #STDIO_BUFFER}
     * @param pointer   the pointer returned (never NULL)
     * @param requested the bytes the program asked for: {@code nmemb * size} for calloc and reallocarray,
     *                  {@code strlen + 1} for strdup
     */
    void allocated(String function, long pointer, long requested);

    /**
     * A block was given back.
     *
     * @param function {@code "free"}, {@code "realloc"} or {@code "reallocarray"}
     * @param pointer  the pointer given back (never NULL)
     */
    void released(String function, long pointer);

    /**
     * A block is about to be given back: told before {@code free}, {@code realloc} or
     * {@code reallocarray} hands a non-NULL pointer to the allocator, so that a listener knows which
     * pointer a call that ends the program (glibc's "double free detected") was given. Followed by
     * {@link #released} when the call returns. Does nothing unless overridden.
     *
     * @param function {@code "free"}, {@code "realloc"} or {@code "reallocarray"}
     * @param pointer  the pointer being given back (never NULL)
     */
    default void releasing(String function, long pointer) {
    }
}
