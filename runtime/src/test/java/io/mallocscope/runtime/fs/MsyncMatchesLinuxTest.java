package io.mallocscope.runtime.fs;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.glibc.CPrograms;
import io.mallocscope.runtime.vm.PageCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MS_ASYNC as Linux does it: no write-back, the pages stay dirty until MS_SYNC (here also munmap and
 * exit) writes them. {@code src/test/c/fs/msync_async.c} counts dirty pages in /proc/self/smaps on the
 * real kernel; the simulator's page cache must count the same, and the mounted host file must not
 * change before MS_SYNC.
 */
class MsyncMatchesLinuxTest {

    @Test
    void msAsyncLeavesThePagesDirtyAndTheFileUnwritten(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CProcess p = CProcess.create(ProcessOptions.defaults().withStdout(out).withStderr(out)
                .withMount(new FileSystem.Mount(tmp, "/data", false)));
        Path host = tmp.resolve("f");
        String[] hostAfterAsync = new String[1];
        p.run((c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            int fd = c.open("/data/f", LibC.O_RDWR | LibC.O_CREAT | LibC.O_TRUNC, 0644);
            c.ftruncate(fd, 8192);
            long m = c.mmap(0, 8192, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            c.putByte(m, 'A');
            c.putByte(m + 4096, 'B');
            PageCache cache = (PageCache) p.memory().regionAt(m).file();
            c.printf("after two stores: %d dirty pages\n", cache.dirtyPages(0, 2).size());
            int r = c.msync(m, 8192, LibC.MS_ASYNC);
            c.printf("msync(MS_ASYNC) = %d: %d dirty pages\n", r, cache.dirtyPages(0, 2).size());
            hostAfterAsync[0] = readFirstByte(host);
            r = c.msync(m, 8192, LibC.MS_SYNC);
            c.printf("msync(MS_SYNC) = %d: %d dirty pages\n", r, cache.dirtyPages(0, 2).size());
            return 0;
        }, new String[0]);
        String expected = """
                after two stores: 2 dirty pages
                msync(MS_ASYNC) = 0: 2 dirty pages
                msync(MS_SYNC) = 0: 0 dirty pages
                """;
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(hostAfterAsync[0]).as("the host file after MS_ASYNC").isEqualTo("\0");
        assertThat(readFirstByte(host)).as("the host file after MS_SYNC").isEqualTo("A");
        assertThat(real(tmp)).isEqualTo(expected);
    }

    private static String readFirstByte(Path f) {
        try {
            return new String(Files.readAllBytes(f), 0, 1, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String real(Path tmp) {
        Path bin = CPrograms.compile("src/test/c/fs/msync_async.c", "fs", "msync_async");
        return CPrograms.run(bin, tmp.resolve("real-file").toString()).out();
    }
}
