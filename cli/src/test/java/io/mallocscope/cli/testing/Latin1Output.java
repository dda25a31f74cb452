package io.mallocscope.cli.testing;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

/** Writes "caf\xe9\n" (Latin-1, not UTF-8) and a byte 0xff to stdout, as a C program may; then one malloc. */
public final class Latin1Output implements CProgram {
    @Override
    public int main(LibC c, String[] argv) {
        long p = c.malloc(16);
        byte[] bytes = {'c', 'a', 'f', (byte) 0xe9, ' ', (byte) 0xff, '\n'};
        for (int i = 0; i < bytes.length; i++) {
            c.putByte(p + i, bytes[i]);
        }
        c.write(1, p, bytes.length);
        return 0;
    }
}
