package io.mallocscope.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An {@code --out} file created at the first byte written: a view that fails before writing (an HTML
 * page refused for its size, a bad option found late) leaves no file behind, not even an empty one.
 * {@link #finish()} creates it when the view wrote nothing at all.
 */
final class OpenOnWrite extends OutputStream {
    private final Path file;
    private OutputStream out;
    private IOException error;

    OpenOnWrite(Path file) {
        this.file = file;
    }

    private OutputStream out() throws IOException {
        if (out == null) {
            try {
                out = Files.newOutputStream(file);
            } catch (IOException e) {
                error = e;
                throw e;
            }
        }
        return out;
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

    /** The error opening the file, if that is what failed. */
    IOException error() {
        return error;
    }

    @Override
    public void write(int b) throws IOException {
        out().write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out().write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    /** The view is complete: the file exists (empty if nothing was written) and is closed. */
    void finish() throws IOException {
        out().close();
    }

    /** The view failed: closes what was written so far, if anything; creates nothing. */
    void abandon() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the view's own error is the one to report
            }
        }
    }

    @Override
    public void close() throws IOException {
        finish();
    }
}
