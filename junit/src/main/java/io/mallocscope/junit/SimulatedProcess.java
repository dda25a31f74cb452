package io.mallocscope.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives each test method a fresh simulated process. Test methods (and constructors, lifecycle methods)
 * may then declare parameters of type {@link io.mallocscope.runtime.LibC},
 * {@link io.mallocscope.runtime.CProcess} or {@link Heap}; all three belong to the same process, which
 * is thrown away after the test.
 *
 * <p>Put it on the class for defaults and on a method to override them for one test:
 * <pre>{@code
 * @SimulatedProcess(glibc = "2.36")
 * class ListTest {
 *     @Test
 *     @SimulatedProcess(tunables = "glibc.malloc.tcache_count=0")
 *     void withoutTcache(LibC c, Heap heap) { … }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(MallocscopeExtension.class)
public @interface SimulatedProcess {
    /** The glibc profile the allocator follows, e.g. "2.36". */
    String glibc() default "2.36";

    /** Tunables in {@code GLIBC_TUNABLES} syntax, e.g. {@code glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0}. */
    String tunables() default "";

    /**
     * Whether stdout is unbuffered, as after {@code setbuf(stdout, NULL)} (the default): printing then
     * allocates nothing, so the heap holds only what the code under test allocated. With {@code false},
     * the first output allocates glibc's 4 KiB stdout buffer in the heap, as a real program does (leak
     * reports leave that buffer out: it is stdio's, kept until exit, not the program's leak).
     */
    boolean unbufferedStdout() default true;

    /**
     * Fail the test after it ends if anything it allocated is still allocated (see {@link Heap#leaks()}),
     * with a report that names the line that allocated each block.
     */
    boolean failOnLeaks() default false;

    /** The program name used in messages (glibc's assertion messages, the shell's). */
    String programName() default "a.out";
}
