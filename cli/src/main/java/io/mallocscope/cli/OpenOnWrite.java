package io.mallocscope.cli;

import io.mallocscope.cli.source.FileKinds;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * An {@code --out} file written whole or not at all. The view writes into a file of its own beside it
 * ({@code .NAME.XXXX.tmp}, made at the first byte written), which {@link #finish()} moves onto the file
 * in one step: a view that fails before writing (an HTML page refused for its size, a bad option found
 * late) leaves no file behind, not even an empty one, and one whose writing fails (a full disk,
 * {@code ulimit -f}) leaves the old file, or none, as it was. A link stays a link (the file it names
 * is replaced), and the old file's permissions are kept. A device (/dev/null) or an open pipe
 * (/dev/stdout) is written directly: nothing there can be replaced.
 */
final class OpenOnWrite extends OutputStream {
    private final Path file;
    /** Where the whole file goes: the file itself, or the one a link names. */
    private Path target;
    /** The file being written, moved onto {@link #target} when complete; null when writing directly. */
    private Path partial;
    private OutputStream out;
    private IOException error;

    OpenOnWrite(Path file) {
        this.file = file;
    }

    private OutputStream out() throws IOException {
        if (out == null) {
            try {
                out = open();
            } catch (IOException e) {
                error = e;
                throw e;
            }
        }
        return out;
    }

    private OutputStream open() throws IOException {
        String kind = FileKinds.notRegular(file);
        if (kind != null && !kind.equals("missing")) {
            return Files.newOutputStream(file); // a device or an open pipe: nothing to replace
        }
        target = kind == null ? file.toRealPath() : file.toAbsolutePath();
        java.util.Random random = new java.util.Random();
        for (int i = 0; ; i++) {
            Path p = target.resolveSibling("." + target.getFileName() + "."
                    + Integer.toUnsignedString(random.nextInt(), 36) + ".tmp");
            try {
                partial = Files.createFile(p);
                return Files.newOutputStream(partial);
            } catch (FileAlreadyExistsException e) {
                if (i > 100) {
                    throw e;
                }
            } catch (AccessDeniedException e) {
                if (kind != null) {
                    throw e;
                }
                // a file the user may write in a directory where nothing may be made: written in place
                target = null;
                return Files.newOutputStream(file);
            }
        }
    }

    /**
     * Refuses, before any work, an {@code --out} that cannot take a whole file: a named FIFO (opening it
     * would wait for a reader that may never come), a socket, a directory, a block device, or a link to one
     * of those. A regular file, a missing one, a character device (/dev/null) and a pipe already open to this
     * process (/dev/stdout, /dev/fd/N) are written.
     */
    static void check(Path out) {
        String kind = FileKinds.notRegular(out);
        if (kind == null || kind.equals("missing") || openDescriptor(out)) {
            return;
        }
        if (kind.endsWith("a character device")) {
            return;
        }
        throw UserError.usage("cannot write " + out + ": it is " + kind + "; --out writes a regular file "
                + "(or a device: /dev/stdout, /dev/null)");
    }

    /**
     * Refuses an {@code --out} typed with a trailing '/' ({@code x.svg/}): such a name is a directory's, and
     * picocli's Path would drop the slash and write a file {@code x.svg}.
     */
    static void refuseDirectoryName(picocli.CommandLine.Model.CommandSpec spec) {
        picocli.CommandLine.Model.OptionSpec o = spec.commandLine().getParseResult().matchedOption("--out");
        if (o == null) {
            return;
        }
        for (String typed : o.originalStringValues()) {
            if (typed.endsWith("/")) {
                throw UserError.usage("cannot write " + typed + ": a name ending in '/' is a directory's; --out writes "
                        + "a regular file (leave the '/' out)");
            }
        }
    }

    /** Whether {@code p}, or a link on the way from it, names a descriptor this process has open (/dev/stdout). */
    private static boolean openDescriptor(Path p) {
        Path at = p.toAbsolutePath();
        for (int hops = 0; hops < 40; hops++) {
            String s = at.toString();
            if (s.startsWith("/dev/fd/") || s.matches("/proc/(self|\\d+)/fd/\\d+")) {
                return true;
            }
            if (!Files.isSymbolicLink(at)) {
                return false;
            }
            try {
                at = at.getParent().resolve(Files.readSymbolicLink(at)).normalize();
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    /**
     * Refuses an {@code --out} file that is the input being read (the same file, by any path or link):
     * writing the view there would replace the recording with its own rendering.
     */
    static void refuseInput(Path out, Path input) {
        try {
            if (Files.exists(out) && Files.exists(input) && Files.isSameFile(out, input)) {
                throw UserError.usage("--out " + out + " is " + input + ", the file being read: write the view "
                        + "to another file");
            }
        } catch (IOException e) {
            // not comparable (unreadable, say): writing will tell
        }
    }

    /** The first error opening or writing the file, if one failed. */
    IOException error() {
        return error;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        OutputStream o = out();
        try {
            o.write(b, off, len);
        } catch (IOException e) {
            if (error == null) {
                error = e;
            }
            throw e;
        }
    }

    @Override
    public void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    /**
     * The view is complete: the whole file takes the place of the old one (empty if nothing was written).
     * A failure (writing a block kept back until now, the move) leaves the old file as it was.
     */
    void finish() throws IOException {
        if (error != null) {
            abandon();
            throw error;
        }
        try {
            out().close();
            if (partial != null) {
                try {
                    Files.setPosixFilePermissions(partial, Files.getPosixFilePermissions(target));
                } catch (IOException | UnsupportedOperationException e) {
                    // a new file: the permissions it was made with
                }
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                partial = null;
            }
        } catch (IOException e) {
            error = e;
            abandon();
            throw e;
        }
    }

    /** The view failed: what was written so far is removed; the old file, if any, is as it was. */
    void abandon() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the view's own error is the one to report
            }
        }
        if (partial != null) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // nothing more to do about it
            }
            partial = null;
        }
    }

    @Override
    public void close() throws IOException {
        finish();
    }
}
