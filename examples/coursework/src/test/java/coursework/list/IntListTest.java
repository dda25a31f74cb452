package coursework.list;

import io.mallocscope.junit.Heap;
import io.mallocscope.junit.SimulatedProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.malloc.BinKind;
import org.junit.jupiter.api.Test;

import static io.mallocscope.junit.HeapAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Grades exercise 2. Every test runs in a fresh simulated process and fails if anything is still
 * allocated when it ends (failOnLeaks): each test destroys its list, so a leak is the list's fault.
 */
@SimulatedProcess(failOnLeaks = true)
class IntListTest {

    @Test
    void pushAddsAtTheFront(LibC c) {
        IntList list = IntList.create(c);
        list.push(1);
        list.push(2);
        list.push(3);
        assertEquals(3, list.size());
        assertEquals(3, list.get(0));
        assertEquals(1, list.get(2));
        list.destroy();
    }

    @Test
    void appendAddsAtTheEnd(LibC c) {
        IntList list = IntList.create(c);
        list.append(1);
        list.append(2);
        list.push(0);
        assertEquals(0, list.get(0));
        assertEquals(2, list.get(2));
        assertThrows(IndexOutOfBoundsException.class, () -> list.get(3));
        list.destroy();
    }

    @Test
    void theListAndEachNodeAreOneSmallChunk(LibC c, Heap heap) {
        IntList list = IntList.create(c);
        list.push(42);
        assertThat(heap).chunkAt(list.address()).isInUse().hasSize(0x20);
        assertThat(heap).chunkAt(list.firstNode()).isInUse().hasSize(0x20);
        list.destroy();
    }

    @Test
    void removeFirstFreesTheNodeItRemoves(LibC c, Heap heap) {
        IntList list = IntList.create(c);
        list.push(7);
        list.push(8);
        long node = list.firstNode();
        assertEquals(8, list.removeFirst());
        assertThat(heap).chunkAt(node).isFree();
        assertThat(heap).bin(BinKind.TCACHE, 0x20).containsExactly(node);
        assertEquals(7, list.removeFirst());
        assertEquals(0, list.size());
        assertThrows(IllegalStateException.class, list::removeFirst);
        list.destroy();
    }

    @Test
    void reverseAllocatesNothing(LibC c, Heap heap) {
        IntList list = IntList.create(c);
        for (int i = 0; i < 5; i++) {
            list.append(i);
        }
        long inUse = c.mallinfo2().uordblks();
        list.reverse();
        assertEquals(inUse, c.mallinfo2().uordblks(), "reverse must not allocate");
        for (int i = 0; i < 5; i++) {
            assertEquals(4 - i, list.get(i));
        }
        list.destroy();
    }

    @Test
    void destroyFreesEverything(LibC c, Heap heap) {
        IntList list = IntList.create(c);
        for (int i = 0; i < 20; i++) {
            list.push(i);
        }
        list.destroy();
        assertThat(heap).hasNoLeaks();
    }
}
