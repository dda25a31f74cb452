package io.mallocscope.runtime.timeline;

/**
 * Constants of the file layout (see docs/timeline-format.md): an 8-byte magic, a version byte, then
 * blocks. A block is {@code u32 length, u32 crc32, payload}; the payload is a run of records, each
 * a tag byte ({@link EventKind} ordinal, or one of the tags below) followed by varints.
 */
final class TimelineFormat {
    private TimelineFormat() {
    }

    static final byte[] MAGIC = {'M', 'A', 'L', 'L', 'O', 'C', 'T', 'L'};
    /**
     * The version this writer writes; 2 added {@link EventKind#OUTPUT}, 3 the file events (open … sigbus),
     * 4 {@link EventKind#CONTEXT} (the process and thread of the events that follow), 5 the program's
     * writes with their site ({@link #TAG_WRITE_AT}, {@link #TAG_FILL_AT}).
     */
    static final int VERSION = 5;
    /** The oldest version this reader reads: version 1 files are version 2 files without output records. */
    static final int MIN_VERSION = 1;
    static final int PREAMBLE = MAGIC.length + 1;
    static final int BLOCK_HEADER = 8;

    /** Record tags beyond the event kinds. */
    static final int TAG_HEADER = 0x40;
    static final int TAG_SITE = 0x41;
    /** A write whose bytes are all the same value (memset). */
    static final int TAG_FILL = 0x42;
    /** A {@link EventKind#RETURN} that carries no value (void, or unwound by a signal). */
    static final int TAG_RETURN_UNWOUND = 0x43;
    /** A {@link EventKind#WRITE} made at a known site: varint site, then the write's fields. */
    static final int TAG_WRITE_AT = 0x44;
    /** A write of one repeated byte (memset) made at a known site: varint site, then the fill's fields. */
    static final int TAG_FILL_AT = 0x45;

    /** Largest block payload the writer produces; a reader rejects larger lengths as corrupt. */
    static final int MAX_BLOCK = 1 << 24;

    /** The stream numbers of an {@link EventKind#OUTPUT} record, as C's file descriptors. */
    static final int STDOUT = 1;
    static final int STDERR = 2;
}
