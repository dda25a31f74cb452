package io.mallocscope.runtime;

/**
 * A thread's start function for {@link LibC#pthread_create}: C's {@code void *(*)(void *)}, given the
 * {@link LibC} the thread calls (its own stack, its own tcache and arena) and the argument. What it
 * returns is the thread's exit value, as {@link LibC#pthread_join} reports it.
 */
@FunctionalInterface
public interface ThreadBody {
    long run(LibC c, long arg);
}
