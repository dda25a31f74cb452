package io.mallocscope.runtime;

/**
 * A C-style program: {@code int main(int argc, char **argv)}, written in Java against {@link LibC}.
 * {@code argv[0]} is the program's name, as in C.
 */
@FunctionalInterface
public interface CProgram {
    int main(LibC c, String[] argv);
}
