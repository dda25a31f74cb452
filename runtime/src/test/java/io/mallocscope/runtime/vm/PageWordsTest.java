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
    void theVarHandlePathLoadsLittleEndianAtEveryOffset() {
        byte[] p = new byte[PAGE];
        new Random(3).nextBytes(p);
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off <= PAGE - 8; off++) {
            assertThat(PageWords.portableGetLong(p, off)).as("long at %d", off).isEqualTo(b.getLong(off));
            assertThat(PageWords.portableGetInt(p, off)).as("int at %d", off).isEqualTo(b.getInt(off));
            assertThat(PageWords.portableGetShort(p, off)).as("short at %d", off).isEqualTo(b.getShort(off));
        }
    }

    @Test
    void theVarHandlePathStoresTheSameBytesAsTheDirectOne() {
        Random rnd = new Random(4);
        for (int off = 0; off <= PAGE - 8; off += 1 + rnd.nextInt(11)) {
            byte[] direct = new byte[PAGE];
            byte[] portable = new byte[PAGE];
            long v = rnd.nextLong();
            switch (off % 3) {
                case 0 -> {
                    PageWords.putLong(direct, off, v);
                    PageWords.portablePutLong(portable, off, v);
                }
                case 1 -> {
                    PageWords.putInt(direct, off, (int) v);
                    PageWords.portablePutInt(portable, off, (int) v);
                }
                default -> {
                    PageWords.putShort(direct, off, (short) v);
                    PageWords.portablePutShort(portable, off, (short) v);
                }
            }
            assertThat(portable).as("store at %d", off).isEqualTo(direct);
        }
    }

    @Test
    void theDirectAccessesAreUsedUpToJava22OnHostsWithUnalignedLoads() {
        assertThat(PageWords.direct()).isEqualTo(PageWords.directAllowed(Runtime.version().feature(),
                System.getProperty("os.arch"), Boolean.getBoolean("mallocscope.varhandles")));
        assertThat(PageWords.directAllowed(17, "amd64", false)).isTrue();
        assertThat(PageWords.directAllowed(21, "x86_64", false)).isTrue();
        assertThat(PageWords.directAllowed(22, "aarch64", false)).isTrue();
        assertThat(PageWords.directAllowed(23, "amd64", false)).as("deprecated from Java 23").isFalse();
        assertThat(PageWords.directAllowed(17, "amd64", true)).as("VarHandles asked for").isFalse();
        for (String arch : List.of("riscv64", "arm", "sparcv9", "ppc64le", "s390x", "x86", "")) {
            assertThat(PageWords.directAllowed(17, arch, false)).as(arch).isFalse();
        }
    }

    @Test
    void aFileCachePageMustBeAWholePage() {
        AddressSpace m = new AddressSpace();
        FileBacking shortPage = new FileBacking() {
            @Override public byte[] cachePage(long index) {
                return new byte[PAGE - 8];
            }
            @Override public long size() {
                return PAGE;
            }
            @Override public void pageDirtied(long index) {
            }
            @Override public void mappedBy(AddressSpace as) {
            }
            @Override public void unmappedBy(AddressSpace as) {
            }
            @Override public String device() {
                return "00:00";
            }
            @Override public long inode() {
                return 1;
            }
        };
        m.mapFile(0x10000, 0x11000, AddressSpace.PROT_READ, "/short", 0, true, shortPage);
        assertThatThrownBy(() -> m.read64(0x10008)).isInstanceOf(IllegalStateException.class)
                .hasMessage("the cache page 0 of /short has 4088 bytes, not 4096");
    }

    @Test
    void aRestoredPageMustBeAWholePage() {
        AddressSpace m = new AddressSpace();
        assertThatThrownBy(() -> m.restore(List.of(), new long[] {0x1000}, new byte[][] {new byte[PAGE - 8]}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a page of 4088 bytes cannot be restored");
    }
}
