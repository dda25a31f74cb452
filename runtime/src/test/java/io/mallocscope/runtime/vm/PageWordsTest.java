package io.mallocscope.runtime.vm;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The page loads and stores are little-endian at every offset, aligned or not, as a ByteBuffer reads them. */
class PageWordsTest {
    private static final int PAGE = (int) AddressSpace.PAGE_SIZE;

    @Test
    void loadsAreLittleEndianAtEveryOffset() {
        byte[] p = new byte[PAGE];
        new Random(1).nextBytes(p);
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off <= PAGE - 8; off++) {
            assertThat(PageWords.getLong(p, off)).as("long at %d", off).isEqualTo(b.getLong(off));
            assertThat(PageWords.getInt(p, off)).as("int at %d", off).isEqualTo(b.getInt(off));
            assertThat(PageWords.getShort(p, off)).as("short at %d", off).isEqualTo(b.getShort(off));
        }
        assertThat(PageWords.getInt(p, PAGE - 4)).isEqualTo(b.getInt(PAGE - 4));
        assertThat(PageWords.getShort(p, PAGE - 2)).isEqualTo(b.getShort(PAGE - 2));
    }

    @Test
    void storesWriteTheirBytesOnlyLittleEndianAtEveryOffset() {
        Random rnd = new Random(2);
        for (int off = 0; off <= PAGE - 8; off += 1 + rnd.nextInt(13)) {
            byte[] p = new byte[PAGE];
            byte[] q = new byte[PAGE];
            ByteBuffer b = ByteBuffer.wrap(q).order(ByteOrder.LITTLE_ENDIAN);
            long v = rnd.nextLong();
            switch (off % 3) {
                case 0 -> {
                    PageWords.putLong(p, off, v);
                    b.putLong(off, v);
                }
                case 1 -> {
                    PageWords.putInt(p, off, (int) v);
                    b.putInt(off, (int) v);
                }
                default -> {
                    PageWords.putShort(p, off, (short) v);
                    b.putShort(off, (short) v);
                }
            }
            assertThat(p).as("store at %d", off).isEqualTo(q);
        }
    }

    @Test
    void theDirectAccessesAreUsedUpToJava22() {
        assertThat(PageWords.direct()).isEqualTo(Runtime.version().feature() <= 22 && !Boolean.getBoolean("mallocscope.varhandles"));
    }

    @Test
    void aRestoredPageMustBeAWholePage() {
        AddressSpace m = new AddressSpace();
        assertThatThrownBy(() -> m.restore(List.of(), new long[] {0x1000}, new byte[][] {new byte[PAGE - 8]}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a page of 4088 bytes cannot be restored");
    }
}
