package io.mallocscope.runtime.fs;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.vm.Errno;
import io.mallocscope.runtime.vm.Layout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** File mappings beyond what the scripts compare with Linux: reports, write-back to the host, maps lines. */
class FileMappingTest {
    @TempDir
    Path tmp;

    private static ProcessOptions mounted(Path dir) {
        return ProcessOptions.defaults().withProgramName("files").withMount(new FileSystem.Mount(dir, "/data", false));
    }

    @Test
    void aPageWhollyPastTheEndOfTheFileIsABusErrorWithAddressAndReason() {
        long[] map = new long[1];
        CProcess.Captured r = CProcess.runCaptured(ProcessOptions.defaults(), (c, argv) -> {
            int fd = c.open("/tmp/short", LibC.O_RDWR | LibC.O_CREAT, 0644);
            c.write(fd, c.strdup("ten bytes!"), 10);
            map[0] = c.mmap(0, 8192, LibC.PROT_READ, LibC.MAP_SHARED, fd, 0);
            c.printf("last byte of page 0: %d\n", c.getByte(map[0] + 4095));
            c.fflush(LibC.STDOUT); // SIGBUS flushes no stdio
            c.getLong(map[0] + 4096);
            return 0;
        });
        assertThat(r.status().code()).isEqualTo(135);
        assertThat(r.stdout()).isEqualTo("last byte of page 0: 0\n");
        assertThat(r.stderr()).isEqualTo(String.format("Bus error (invalid read of 8 bytes at 0x%x "
                + "(offset 0x1000 of /tmp/short is beyond the end of the file (size 0xa)))\n", map[0] + 4096));
    }

    @Test
    void storesThroughASharedMappingReachTheHostFileAtMsyncMunmapAndExit() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("data"));
        Files.writeString(data.resolve("notes.txt"), "aaaa");
        Files.writeString(data.resolve("other.txt"), "bbbb");
        CProcess.Captured r = CProcess.runCaptured(mounted(data), (c, argv) -> {
            int fd = c.open("/data/notes.txt", LibC.O_RDWR);
            long m = c.mmap(0, 4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            c.putByte(m, 'A');
            c.printf("before msync: %s\n", readHost(data.resolve("notes.txt")));
            c.printf("msync = %d\n", c.msync(m, 4096, LibC.MS_SYNC));
            c.printf("after msync: %s\n", readHost(data.resolve("notes.txt")));
            c.putByte(m + 1, 'B');
            c.printf("munmap = %d\n", c.munmap(m, 4096));
            c.printf("after munmap: %s\n", readHost(data.resolve("notes.txt")));
            int other = c.open("/data/other.txt", LibC.O_RDWR);
            long o = c.mmap(0, 4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, other, 0);
            c.putInt(o, 0x44434241);
            c.putByte(o + 100, 'x'); // past the end of the file: never written
            c.printf("before exit: %s\n", readHost(data.resolve("other.txt")));
            return 0;
        });
        assertThat(r.stdout()).isEqualTo("""
                before msync: aaaa
                msync = 0
                after msync: Aaaa
                munmap = 0
                after munmap: ABaa
                before exit: bbbb
                """);
        assertThat(r.stderr()).isEmpty();
        assertThat(Files.readString(data.resolve("other.txt"))).isEqualTo("ABCD");
    }

    @Test
    void aWriteBackTheHostRefusesIsReportedOnStderrAndByMsync() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("data"));
        Path f = data.resolve("gone.txt");
        Files.writeString(f, "data");
        CProcess.Captured r = CProcess.runCaptured(mounted(data), (c, argv) -> {
            int fd = c.open("/data/gone.txt", LibC.O_RDWR);
            long m = c.mmap(0, 4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            c.putByte(m, 'D');
            try { // the file is replaced by a directory behind the program's back
                Files.delete(f);
                Files.createDirectory(f);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            int rc = c.msync(m, 4096, LibC.MS_SYNC);
            c.printf("msync = %d (%s)\n", rc, c.strerror(c.errno()));
            c.printf("again = %d\n", c.msync(m, 4096, LibC.MS_SYNC));
            return 0;
        });
        assertThat(r.stdout()).isEqualTo("msync = -1 (Input/output error)\nagain = 0\n");
        assertThat(r.stderr()).isEqualTo("mallocscope: write-back of 1 page of /data/gone.txt failed (msync): Is a directory\n");
    }

    @Test
    void mapsShowsFileMappingsWithOffsetDeviceInodeAndSharing() {
        LibC c = CProcess.create(ProcessOptions.defaults().withProgramName("files")).libc();
        int fd = c.open("/tmp/f", LibC.O_RDWR | LibC.O_CREAT, 0644);
        c.ftruncate(fd, 3 * 4096);
        long shared = c.mmap(0, 8192, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 4096);
        long priv = c.mmap(0, 4096, LibC.PROT_READ, LibC.MAP_PRIVATE, fd, 0);
        long anon = c.mmap(0, 4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_ANONYMOUS, -1, 0);
        String maps = c.process().memory().maps();
        assertThat(shared).isEqualTo(Layout.LIBC_ANON_START - 8192);
        assertThat(maps).contains(String.format("%x-%x rw-s 00001000 00:1b 4", shared, shared + 8192))
                .contains(String.format("%x-%x r--p 00000000 00:1b 4", priv, priv + 4096))
                .contains(String.format("%x-%x rw-s 00000000 00:01 5  ", anon, anon + 4096))
                .contains("/dev/zero (deleted)\n");
        String line = maps.lines().filter(l -> l.startsWith(Long.toHexString(shared))).findFirst().orElseThrow();
        assertThat(line).hasSize(73 + "/tmp/f".length()).endsWith(" /tmp/f");
    }

    @Test
    void mprotectAndMremapKeepAFileMappingAFileMapping() {
        LibC c = CProcess.create().libc();
        int fd = c.open("/tmp/f", LibC.O_RDWR | LibC.O_CREAT, 0644);
        c.ftruncate(fd, 4 * 4096);
        c.pwrite(fd, c.strdup("page2"), 5, 2 * 4096);
        long m = c.mmap(0, 8192, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        c.putByte(m, 'X');
        c.mmap(m + 8192, 4096, LibC.PROT_READ, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_FIXED, -1, 0);
        long grown = c.mremap(m, 8192, 4 * 4096, LibC.MREMAP_MAYMOVE);
        assertThat(grown).as("moved: the page after it is taken").isNotIn(LibC.MAP_FAILED, m);
        assertThat(c.mprotect(grown + 4096, 4096, LibC.PROT_READ)).isZero();
        assertThat(c.string(grown + 2 * 4096)).as("the grown part maps the file's next pages").isEqualTo("page2");
        c.putByte(grown + 2 * 4096, 'P');
        long buf = c.malloc(8);
        c.pread(fd, buf, 5, 2 * 4096);
        assertThat(c.string(buf)).isEqualTo("Page2");
        c.pread(fd, buf, 1, 0);
        assertThat(c.getByte(buf)).isEqualTo((byte) 'X');
        assertThat(c.process().memory().regionAt(grown + 4096).permissions()).isEqualTo("r--s");
        assertThat(c.process().memory().regionAt(grown + 4096).offset()).isEqualTo(4096);
    }

    @Test
    void aReadIntoAPageOfAMappingPastEofIsEfaultNotASignal() {
        LibC c = CProcess.create().libc();
        int fd = c.open("/tmp/f", LibC.O_RDWR | LibC.O_CREAT, 0644);
        c.write(fd, c.strdup("abc"), 3);
        long m = c.mmap(0, 8192, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        c.lseek(fd, 0, LibC.SEEK_SET);
        assertThat(c.read(fd, m + 4096, 3)).isEqualTo(-1);
        assertThat(c.errno()).isEqualTo(Errno.EFAULT);
        assertThat(c.read(fd, m + 4094, 3)).as("a short read up to the page that faults").isEqualTo(2);
    }

    private static String readHost(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
