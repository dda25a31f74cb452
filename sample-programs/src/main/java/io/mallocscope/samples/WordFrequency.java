package io.mallocscope.samples;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.malloc.Mallinfo2;

import static io.mallocscope.runtime.LibC.STDOUT;

/**
 * A real-program workload: counting words with a chained hash table.
 *
 * <p>What to notice:
 * a) each distinct word costs two chunks: a 0x20 node ({@code struct node { char *key; long count;
 *    struct node *next; }}, 24 bytes) and its {@code strdup}'d key; repeated words cost nothing;
 * b) the bucket array is one calloc'd block; the heap fills in allocation order, nodes and keys
 *    interleaved;
 * c) freeing everything at the end sends seven chunks per size to the tcache and the rest to
 *    fastbins: mallinfo2 counts the fastbin chunks as free but the tcache'd ones as still in use, which
 *    is why "in use" does not drop to the stdout buffer and the tcache chunk alone.
 *
 * <p>Run: {@code ./mallocscope run word-frequency [WORDS…]}
 */
@Sample(name = "word-frequency", description = "workload: a hash table of malloc'd nodes and strdup'd words")
public final class WordFrequency implements CProgram {
    static final int BUCKETS = 16;
    static final String TEXT = "the quick brown fox jumps over the lazy dog the dog barks and the fox runs "
            + "over the hill and far away";

    // struct node { char *key; long count; struct node *next; }
    static final int KEY = 0;
    static final int COUNT = 8;
    static final int NEXT = 16;
    static final int NODE_SIZE = 24;

    @Override
    public int main(LibC c, String[] argv) {
        String[] words = argv.length > 1 ? java.util.Arrays.copyOfRange(argv, 1, argv.length) : TEXT.split(" ");
        long table = c.calloc(BUCKETS, 8);
        long word = c.local(64);
        int distinct = 0;
        for (String w : words) {
            c.putString(word, w.length() > 63 ? w.substring(0, 63) : w);
            long bucket = table + 8L * (hash(c, word) % BUCKETS);
            long n = c.getLong(bucket);
            while (n != 0 && c.strcmp(c.getLong(n + KEY), word) != 0) {
                n = c.getLong(n + NEXT);
            }
            if (n == 0) {
                n = c.malloc(NODE_SIZE);
                c.putLong(n + KEY, c.strdup(word));
                c.putLong(n + COUNT, 0);
                c.putLong(n + NEXT, c.getLong(bucket));
                c.putLong(bucket, n);
                distinct++;
            }
            c.putLong(n + COUNT, c.getLong(n + COUNT) + 1);
        }

        c.printf("%d words, %d distinct\n", words.length, distinct);
        for (int i = 0; i < BUCKETS; i++) {
            for (long n = c.getLong(table + 8L * i); n != 0; n = c.getLong(n + NEXT)) {
                if (c.getLong(n + COUNT) > 1) {
                    c.printf("%-6s %ld\n", c.getLong(n + KEY), c.getLong(n + COUNT));
                }
            }
        }
        Mallinfo2 used = c.mallinfo2();
        c.printf("heap in use: %zu bytes in chunks, %zu free in the arena (%zu bytes from the system)\n",
                used.uordblks(), used.fordblks(), used.arena());

        for (int i = 0; i < BUCKETS; i++) {
            long n = c.getLong(table + 8L * i);
            while (n != 0) {
                long next = c.getLong(n + NEXT);
                c.free(c.getLong(n + KEY));
                c.free(n);
                n = next;
            }
        }
        c.free(table);
        Mallinfo2 after = c.mallinfo2();
        c.printf("after freeing: %zu bytes in use, %zu in fastbins (%zu chunks), %zu free in all\n",
                after.uordblks(), after.fsmblks(), after.smblks(), after.fordblks());
        return 0;
    }

    /** djb2 over the C string at {@code s}. */
    static long hash(LibC c, long s) {
        long h = 5381;
        for (long i = 0; ; i++) {
            int b = c.getByte(s + i) & 0xff;
            if (b == 0) {
                return h & 0x7fffffffffffffffL;
            }
            h = h * 33 + b;
        }
    }
}
