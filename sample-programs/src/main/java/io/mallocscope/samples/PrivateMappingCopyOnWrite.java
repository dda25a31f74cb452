package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.MAP_PRIVATE;
import static io.mallocscope.runtime.LibC.O_CREAT;
import static io.mallocscope.runtime.LibC.O_RDWR;
import static io.mallocscope.runtime.LibC.O_TRUNC;
import static io.mallocscope.runtime.LibC.PROT_READ;
import static io.mallocscope.runtime.LibC.PROT_WRITE;
import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * A file mapped {@code MAP_PRIVATE}: copy-on-write.
 *
 * <p>What to notice:
 * a) until the program stores to a page, the page is the file's: a later {@code write()} to the file
 *    shows through the mapping;
 * b) the first store copies the page: from then on the mapping has its own bytes, and writes to the file
 *    no longer show;
 * c) the file never sees the mapping's stores.
 *
 * <p>Run: {@code ./mallocscope run private-mapping-cow}
 */
@Sample(name = "private-mapping-cow", description = "a file mapped MAP_PRIVATE: the file's page until the first store copies it")
public final class PrivateMappingCopyOnWrite implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        String path = argv.length > 1 ? argv[1] : "/tmp/original.txt";
        int fd = c.open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            c.perror(path);
            return 1;
        }
        c.write(fd, c.strdup("original text\n"), 14);
        long p = c.mmap(LibC.NULL, 14, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        c.printf("the private mapping reads:                %.13s\n", p);

        c.pwrite(fd, c.strdup("ORIGINAL"), 8, 0);
        c.printf("after write() to the file it reads:       %.13s\n", p);

        c.putByte(p, 'o');
        c.printf("after a store (the page is now a copy):   %.13s\n", p);

        c.pwrite(fd, c.strdup("XX"), 2, 9);
        c.printf("after another write() to the file:        %.13s\n", p);

        long buf = c.calloc(1, 16);
        c.pread(fd, buf, 13, 0);
        c.printf("the file holds:                           %.13s\n", buf);
        c.munmap(p, 14);
        c.close(fd);
        return 0;
    }
}
