package io.mallocscope.agent.it;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;

/**
 * argv[0] = "double-free" (glibc aborts), "segv" (a write through NULL+8), "mmap" (a large block), "fork" (a
 * child aborts in glibc, then the parent faults) or "assert" (the program aborts), run via CProcess.run.
 */
public final class Faults {
    public static void main(String[] args) {
        ProcessOptions o = ProcessOptions.defaults().withProgramName("faults");
        System.exit(CProcess.create(o).run((c, argv) -> {
            switch (argv[1]) {
                case "double-free" -> {
                    long a = c.malloc(24);
                    c.free(a);
                    c.free(a);
                }
                case "segv" -> {
                    long a = c.malloc(24);
                    c.putLong(a, 1);
                    c.putLong(8, 1);
                }
                case "mmap" -> {
                    long big = c.malloc(200_000);
                    c.free(big);
                    long again = c.malloc(200_000);
                    c.free(again);
                }
                case "files" -> {
                    int fd = c.open("/tmp/notes.txt", io.mallocscope.runtime.LibC.O_RDWR | io.mallocscope.runtime.LibC.O_CREAT, 0644);
                    c.write(fd, c.strdup("hello"), 5);
                    long shared = c.mmap(0, 8192, 3, io.mallocscope.runtime.LibC.MAP_SHARED, fd, 0);
                    c.putByte(shared, 'H');
                    c.msync(shared, 4096, io.mallocscope.runtime.LibC.MS_SYNC);
                    long priv = c.mmap(0, 4096, 3, io.mallocscope.runtime.LibC.MAP_PRIVATE, fd, 0);
                    c.putByte(priv + 1, 'E');
                    c.close(fd);
                    c.getByte(shared + 4096);
                }
                case "fork" -> {
                    long a = c.malloc(24);
                    int pid = c.fork(child -> {
                        child.malloc(40);
                        child.free(a);
                        child.free(a);
                        return 0;
                    });
                    long st = c.malloc(4);
                    c.waitpid(pid, st, 0);
                    c.printf("child killed by signal %d\n", c.getInt(st) & 0x7f);
                    c.putLong(8, 1);
                }
                case "assert" -> {
                    long a = c.malloc(24);
                    c.assertTrue(a == 0, "a == NULL");
                }
                default -> throw new IllegalArgumentException(argv[1]);
            }
            return 0;
        }, args).code());
    }
}
