package io.mallocscope.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives each test method a fresh simulated process. Test methods, and {@code @BeforeEach} and
 * {@code @AfterEach} methods, may then declare parameters of type {@link io.mallocscope.runtime.LibC},
 * {@link io.mallocscope.runtime.CProcess}, {@link Heap} or {@link CapturedOutput}; all belong to the
 * test's process, which is thrown away after the test. Constructors and {@code @BeforeAll} methods
 * cannot have them (no one test's process is theirs): the extension refuses with a message.
 *
 * <p>Put it on the class for defaults and on a method to change some for one test. The annotations
 * merge: each attribute comes from the nearest annotation (method, class, enclosing class) that sets
 * it to something other than its default, so below {@code withoutTcache} keeps the class's glibc and
 * {@code failOnLeaks}:
 * <pre>{@code
 * @SimulatedProcess(glibc = "2.31", failOnLeaks = true)
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

    /**
     * Run the test's process under memcheck ({@link io.mallocscope.runtime.ProcessOptions#withMemcheck}):
     * an invalid read or write, a use of uninitialised heap bytes, an invalid free or an overlapping
     * copy fails the test after it ends, with Valgrind's report of each (where, and where the block
     * was allocated and freed); the heap is the same as without it.
     */
    boolean memcheck() default false;

    /** The program name used in messages (glibc's assertion messages, the shell's). */
    String programName() default "a.out";
}
