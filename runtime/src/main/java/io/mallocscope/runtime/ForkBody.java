package io.mallocscope.runtime;

/**
 * What a child of {@link LibC#fork(ForkBody)} runs. A Java method cannot resume in two processes,
 * so the child's side of {@code if (fork() == 0) { … }} is this body, called with the child's own
 * {@link LibC}; its value is the child's exit status, as if the child called {@code exit}.
 */
@FunctionalInterface
public interface ForkBody {
    int run(LibC child);
}
