package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.MAP_SHARED;
import static io.mallocscope.runtime.LibC.MS_SYNC;
import static io.mallocscope.runtime.LibC.O_CREAT;
import static io.mallocscope.runtime.LibC.O_RDWR;
import static io.mallocscope.runtime.LibC.O_TRUNC;
import static io.mallocscope.runtime.LibC.PROT_READ;
import static io.mallocscope.runtime.LibC.PROT_WRITE;
import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * A file mapped {@code MAP_SHARED}: the mapping is the file's page cache.
 *
 * <p>What to notice:
 * a) a store through the mapping is seen at once by {@code read()}: both reach the same page;
 * b) {@code msync} writes the dirty page back to the file (run with {@code --mount} to watch the file on
 *    disk change);
 * c) the mapping covers a whole page: the bytes past the end of the file read as zero and are never
 *    written to it.
 *
 * <p>Run: {@code ./mallocscope run file-mapped-shared}, or
 * {@code ./mallocscope run --mount DIR:/data file-mapped-shared /data/notes.txt} and look at DIR/notes.txt.
 */
@Sample(name = "file-mapped-shared", description = "a file mapped MAP_SHARED: stores reach read() and, after msync, the disk")
public final class FileMappedShared implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        String path = argv.length > 1 ? argv[1] : "/tmp/notes.txt";
        int fd = c.open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            c.perror(path);
            return 1;
        }
        long text = c.strdup("hello, page cache\n");
        c.printf("write() = %ld\n", c.write(fd, text, 18));

        long p = c.mmap(LibC.NULL, 18, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        c.printf("mmap(MAP_SHARED) = %s, page aligned: %s\n", p == LibC.MAP_FAILED ? "MAP_FAILED" : "a mapping",
                (p & 0xfff) == 0 ? "yes" : "no");
        c.printf("the mapping reads: %.17s\n", p);

        c.memcpy(p, c.strdup("HELLO"), 5);
        long buf = c.calloc(1, 32);
        c.pread(fd, buf, 18, 0);
        c.printf("after a store through the mapping, read() gives: %.17s\n", buf);

        c.printf("msync(MS_SYNC) = %d\n", c.msync(p, 18, MS_SYNC));
        long st = c.malloc(144);
        c.fstat(fd, st);
        c.printf("the file is still %ld bytes\n", c.getLong(st + 48));
        c.printf("byte 100 of the mapping, past the end of the file, reads %d\n", c.getByte(p + 100));
        c.putByte(p + 100, 'x');
        c.printf("a store there stays in the page: the file remains %ld bytes\n",
                c.lseek(fd, 0, LibC.SEEK_END));

        c.printf("munmap = %d, close = %d\n", c.munmap(p, 18), c.close(fd));
        return 0;
    }
}
