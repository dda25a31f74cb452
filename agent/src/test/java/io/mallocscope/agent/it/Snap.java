package io.mallocscope.agent.it;

import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Region;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/**
 * What a recorded test program writes beside its timeline to prove the replay: at a point between its
 * calls, the number of events recorded so far (read from the agent's writer), the process, and a
 * digest of the live process's memory. The IT rebuilds the process just before that event and
 * compares digests.
 */
public final class Snap {
    private Snap() {
    }

    /** Appends {@code pid events digest} to snaps.txt in the working directory. */
    public static void take(LibC c) {
        String file = "snaps.txt";
        try {
            Class<?> recorder = Class.forName("io.mallocscope.agent.Recorder");
            Field f = recorder.getDeclaredField("writer");
            f.setAccessible(true);
            Object writer = f.get(null);
            long events = (long) writer.getClass().getMethod("events").invoke(writer);
            String line = c.getpid() + " " + events + " " + digest(c.process().memory()) + "\n";
            Files.writeString(Path.of(file), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every mapping but the main stack (its place, size and protection) and the bytes of every
     * readable one, a page never written counting as zeros: the heap, every arena's heaps, libc's
     * data (main_arena, the arena list), thread stacks with their TLS (tcache, thread_arena).
     */
    public static String digest(AddressSpace m) {
        CRC32 crc = new CRC32();
        byte[] page = new byte[(int) AddressSpace.PAGE_SIZE];
        byte[] zero = new byte[page.length];
        StringBuilder maps = new StringBuilder();
        for (Region r : m.regions()) {
            if (r.name().equals("[stack]")) {
                continue;
            }
            maps.append(Long.toHexString(r.start())).append('-').append(Long.toHexString(r.end()))
                    .append(r.permissions()).append(';');
            if (!r.readable()) {
                continue;
            }
            for (long a = r.start(); a < r.end(); a += page.length) {
                if (m.holdsData(a)) {
                    m.readBytes(a, page, 0, page.length);
                    if (!java.util.Arrays.equals(page, zero)) {
                        crc.update(Long.toHexString(a).getBytes(StandardCharsets.US_ASCII));
                        crc.update(page);
                    }
                }
            }
        }
        crc.update(maps.toString().getBytes(StandardCharsets.US_ASCII));
        return Long.toHexString(crc.getValue());
    }
}
