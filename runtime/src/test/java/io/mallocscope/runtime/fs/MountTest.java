package io.mallocscope.runtime.fs;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.vm.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Host directories mounted into the simulated file system: what can be reached, and what cannot. */
class MountTest {
    @TempDir
    Path tmp;

    private LibC mount(Path dir, boolean readOnly) {
        return CProcess.create(ProcessOptions.defaults().withMount(new FileSystem.Mount(dir, "/data", readOnly))).libc();
    }

    private static String readAll(LibC c, int fd) {
        long buf = c.malloc(4096);
        long n = c.read(fd, buf, 4096);
        return n < 0 ? "errno " + Errno.name(c.errno()) : new String(c.readBytes(buf, (int) n), StandardCharsets.UTF_8);
    }

    @Test
    void aMountedFileIsReadAndWrittenOnTheHost() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("data"));
        Files.writeString(data.resolve("notes.txt"), "hello from the host\n");
        LibC c = mount(data, false);
        int fd = c.open("/data/notes.txt", LibC.O_RDWR);
        assertThat(fd).isEqualTo(3);
        assertThat(readAll(c, fd)).isEqualTo("hello from the host\n");
        long buf = c.strdup("HELLO");
        assertThat(c.pwrite(fd, buf, 5, 0)).isEqualTo(5);
        assertThat(Files.readString(data.resolve("notes.txt"))).isEqualTo("HELLO from the host\n");
        assertThat(c.unlink("/data/notes.txt")).isZero();
        assertThat(data.resolve("notes.txt")).doesNotExist();
        assertThat(c.pread(fd, buf, 5, 6)).as("the unlinked file stays readable through its descriptor").isEqualTo(5);
        assertThat(c.string(buf)).isEqualTo("from ");
    }

    @Test
    void dotDotStopsAtTheSimulatedRoot() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("data"));
        Files.writeString(tmp.resolve("secret"), "outside the mount");
        LibC c = mount(data, false);
        assertThat(c.open("/data/../secret", LibC.O_RDONLY)).isEqualTo(-1);
        assertThat(c.errno()).isEqualTo(Errno.ENOENT);
        assertThat(c.open("/data/../../../../../secret", LibC.O_RDONLY)).isEqualTo(-1);
        assertThat(c.errno()).isEqualTo(Errno.ENOENT);
        assertThat(c.open("/data/../data/../../secret", LibC.O_RDWR | LibC.O_CREAT, 0644)).as("created in memory at /secret")
                .isEqualTo(3);
        assertThat(Files.readString(tmp.resolve("secret"))).isEqualTo("outside the mount");
    }

    @Test
    void symlinksAreFollowedInsideTheSimulatedTreeNeverOnTheHost() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("data"));
        Files.writeString(tmp.resolve("secret"), "outside the mount");
        Files.writeString(data.resolve("inside.txt"), "inside");
        Files.createSymbolicLink(data.resolve("up"), Path.of("../secret"));
        Files.createSymbolicLink(data.resolve("abs"), tmp.resolve("secret"));
        Files.createSymbolicLink(data.resolve("dir"), tmp);
        Files.createSymbolicLink(data.resolve("ok"), Path.of("inside.txt"));
        Files.createSymbolicLink(data.resolve("rooted"), Path.of("/data/inside.txt"));
        Files.createSymbolicLink(data.resolve("loop"), Path.of("loop"));
        LibC c = mount(data, false);
        for (String escape : new String[] {"/data/up", "/data/abs", "/data/dir/secret"}) {
            assertThat(c.open(escape, LibC.O_RDONLY)).as(escape).isEqualTo(-1);
            assertThat(c.errno()).as(escape).isEqualTo(Errno.ENOENT);
        }
        assertThat(c.open("/data/up", LibC.O_WRONLY | LibC.O_CREAT, 0644)).as("a dangling link creates its target, in memory")
                .isEqualTo(3);
        assertThat(Files.readString(tmp.resolve("secret"))).isEqualTo("outside the mount");
        assertThat(readAll(c, c.open("/data/ok", LibC.O_RDONLY))).isEqualTo("inside");
        assertThat(readAll(c, c.open("/data/rooted", LibC.O_RDONLY))).isEqualTo("inside");
        assertThat(c.open("/data/loop", LibC.O_RDONLY)).isEqualTo(-1);
        assertThat(c.errno()).isEqualTo(Errno.ELOOP);
        assertThat(c.open("/data/ok", LibC.O_RDONLY | LibC.O_NOFOLLOW)).isEqualTo(-1);
        assertThat(c.errno()).isEqualTo(Errno.ELOOP);
        assertThat(c.unlink("/data/up")).as("unlink removes the link itself").isZero();
        assertThat(data.resolve("up")).doesNotExist();
        assertThat(tmp.resolve("secret")).exists();
    }

    @Test
    void aReadOnlyMountRefusesEveryChange() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("data"));
        Files.writeString(data.resolve("f"), "keep");
        LibC c = mount(data, true);
        assertThat(readAll(c, c.open("/data/f", LibC.O_RDONLY))).isEqualTo("keep");
        for (int flags : new int[] {LibC.O_WRONLY, LibC.O_RDWR, LibC.O_RDONLY | LibC.O_TRUNC, LibC.O_WRONLY | LibC.O_CREAT}) {
            assertThat(c.open("/data/f", flags, 0644)).isEqualTo(-1);
            assertThat(c.errno()).isEqualTo(Errno.EROFS);
        }
        assertThat(c.open("/data/new", LibC.O_WRONLY | LibC.O_CREAT, 0644)).isEqualTo(-1);
        assertThat(c.errno()).isEqualTo(Errno.EROFS);
        assertThat(c.open("/data/f", LibC.O_RDONLY | LibC.O_CREAT, 0644)).as("O_CREAT of an existing file only reads").isEqualTo(4);
        assertThat(c.unlink("/data/f")).isEqualTo(-1);
        assertThat(c.errno()).isEqualTo(Errno.EROFS);
        assertThat(Files.readString(data.resolve("f"))).isEqualTo("keep");
        assertThat(data.resolve("new")).doesNotExist();
    }

    @Test
    void pathsOutsideTheTreeDoNotExist() {
        LibC c = CProcess.create().libc();
        for (String p : new String[] {"/etc/passwd", "/data/x", "/proc/self/maps", "/usr/lib/x86_64-linux-gnu/libc.so.6"}) {
            assertThat(c.open(p, LibC.O_RDONLY)).as(p).isEqualTo(-1);
            assertThat(c.errno()).as(p).isEqualTo(Errno.ENOENT);
        }
        assertThat(c.open("/tmp/scratch", LibC.O_RDWR | LibC.O_CREAT, 0600)).isEqualTo(3);
    }

    @Test
    void mountSpecsAreParsedAndCheckedWithOneLineMessages() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("data"));
        assertThat(FileSystem.Mount.parse(data + ":/data:ro")).isEqualTo(new FileSystem.Mount(data, "/data", true));
        assertThat(FileSystem.Mount.parse(data + ":/srv/in")).isEqualTo(new FileSystem.Mount(data, "/srv/in", false));
        assertThatThrownBy(() -> FileSystem.Mount.parse("nodest")).hasMessage("mount 'nodest' is not HOSTDIR:/PATH[:ro]");
        assertThatThrownBy(() -> FileSystem.Mount.parse(data + ":relative"))
                .hasMessage("mount point 'relative' must be an absolute path below / (like /data)");
        assertThatThrownBy(() -> FileSystem.Mount.parse(data + ":/a/../b")).hasMessage("mount point '/a/../b' must not contain . or ..");
        assertThatThrownBy(() -> new FileSystem(java.util.List.of(new FileSystem.Mount(tmp.resolve("missing"), "/data", false))))
                .hasMessage("cannot mount " + tmp.resolve("missing") + ": not a directory");
        assertThatThrownBy(() -> new FileSystem(java.util.List.of(new FileSystem.Mount(data, "/data", false),
                new FileSystem.Mount(data, "/data/inner", false))))
                .hasMessage("mount point /data/inner overlaps the mount at /data");
    }
}
