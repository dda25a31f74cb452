package io.mallocscope.runtime;

/**
 * Marks a stdout sink that does glibc's stdout buffering itself (the C front end's): {@link LibC}
 * then writes each piece of output to it at once instead of holding it in its own model of the
 * buffer until glibc would write it. The bytes of stdout's buffer in simulated memory are the same
 * either way.
 */
public interface StdoutFrontEnd {
}
