package io.mallocscope.junit;

/**
 * One allocation recorded by a {@link Heap}: the pointer returned, the bytes asked for, the function
 * ("malloc", "calloc", "realloc", "strdup") and where the test's code called it.
 *
 * @param callSite {@code Class.method(File.java:LINE)}, the first frame outside mallocscope's own code
 */
public record Allocation(long pointer, long requested, String function, String callSite) {
}
