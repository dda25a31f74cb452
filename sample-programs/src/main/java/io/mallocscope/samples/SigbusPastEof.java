package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;

import static io.mallocscope.runtime.LibC.MAP_SHARED;
import static io.mallocscope.runtime.LibC.O_CREAT;
import static io.mallocscope.runtime.LibC.O_RDWR;
import static io.mallocscope.runtime.LibC.O_TRUNC;
import static io.mallocscope.runtime.LibC.PROT_READ;
import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * Reading a file mapping past the end of the file: SIGBUS, not SIGSEGV.
 *
 * <p>What to notice:
 * a) mmap maps whole pages, and a mapping may be longer than its file;
 * b) the rest of the file's last page reads as zero;
 * c) a page wholly past the end has nothing behind it: touching it raises SIGBUS ("Bus error", status
 *    135), though the address is mapped.
 *
 * <p>Run: {@code ./mallocscope run sigbus-past-eof}
 */
@Sample(name = "sigbus-past-eof", description = "touching a file mapping past the end of its file: SIGBUS",
        expectedStatus = 135)
public final class SigbusPastEof implements CProgram {

    @Override
    public int main(LibC c, String[] argv) {
        c.setbufNone(STDOUT);
        String path = argv.length > 1 ? argv[1] : "/tmp/ten-bytes.txt";
        int fd = c.open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            c.perror(path);
            return 1;
        }
        c.write(fd, c.strdup("ten bytes\n"), 10);
        long p = c.mmap(LibC.NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
        c.printf("a 10-byte file in a 2-page mapping\n");
        c.printf("byte 9: 0x%02x; byte 4095, same page, past the end: 0x%02x\n", c.getByte(p + 9), c.getByte(p + 4095));
        c.printf("touching byte 4096, in a page wholly past the end...\n");
        c.printf("never printed: 0x%02x\n", c.getByte(p + 4096));
        return 0;
    }
}
