package io.mallocscope.runtime.timeline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * What the files written beside a timeline (its checkpoints, the story's saved states) do alike: read a
 * range, keep a record as its raw length and then its deflated bytes, and put a finished file in place.
 */
public final class SideFiles {
    private SideFiles() {
    }

    /** The {@code len} bytes at {@code at}; an IOException when the file ends before them. */
    public static byte[] read(FileChannel ch, long at, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new IOException("the file ends at byte " + (at + b.position()));
            }
        }
        return b.array();
    }

    /** {@code raw}'s length as a 4-byte integer in {@code order}, then {@code raw} deflated by {@code d}. */
    public static byte[] deflate(Deflater d, byte[] raw, ByteOrder order) {
        d.reset();
        d.setInput(raw);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4 + 64);
        out.writeBytes(ByteBuffer.allocate(4).order(order).putInt(raw.length).array());
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        return out.toByteArray();
    }

    /** The raw bytes of a record {@link #deflate} made, inflated by {@code f}. */
    public static byte[] inflate(Inflater f, byte[] packed, ByteOrder order) throws DataFormatException {
        if (packed.length < 4) {
            throw new DataFormatException("a record of " + packed.length + " bytes");
        }
        int len = ByteBuffer.wrap(packed, 0, 4).order(order).getInt();
        if (len < 0 || len > 1 << 30) {
            throw new DataFormatException("impossible length " + len);
        }
        byte[] raw = new byte[len];
        f.reset();
        f.setInput(packed, 4, packed.length - 4);
        int n = 0;
        while (n < len) {
            int got = f.inflate(raw, n, len - n);
            if (got == 0 && (f.finished() || f.needsInput())) {
                throw new DataFormatException("the record ends after " + n + " of " + len + " bytes");
            }
            n += got;
        }
        return raw;
    }

    /**
     * Puts the finished temporary file {@code tmp} in place as {@code side} in one step, readable by
     * whoever can read {@code timeline} (a temporary file is its owner's only).
     */
    public static void publish(Path tmp, Path side, Path timeline) throws IOException {
        try {
            Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(timeline));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system, or not ours to change: the temporary file's permissions stay
        }
        Files.move(tmp, side, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
