package coursework.list;

import io.mallocscope.runtime.LibC;

/**
 * Exercise 2: a singly linked list of longs that lives in the simulated heap, written the way you would
 * write it in C. Every node and the list header are malloc'd; nothing may leak.
 *
 * <pre>
 * struct node { long value; struct node *next; };   // 16 bytes: a 0x20 chunk
 * struct list { struct node *head; long size; };    // 16 bytes: a 0x20 chunk
 * </pre>
 */
public final class IntList {
    static final int NODE_VALUE = 0;
    static final int NODE_NEXT = 8;
    static final int NODE_SIZE = 16;
    static final int LIST_HEAD = 0;
    static final int LIST_SIZE = 8;
    static final int LIST_BYTES = 16;

    private final LibC c;
    private final long list;

    private IntList(LibC c, long list) {
        this.c = c;
        this.list = list;
    }

    /** {@code struct list *list_new(void)}: mallocs an empty list. */
    public static IntList create(LibC c) {
        // BEGIN SOLUTION
        long list = c.malloc(LIST_BYTES);
        if (list == 0) {
            throw new OutOfMemoryError("malloc failed");
        }
        c.putLong(list + LIST_HEAD, 0);
        c.putLong(list + LIST_SIZE, 0);
        return new IntList(c, list);
        // END SOLUTION
    }

    /** The address of the {@code struct list}. */
    public long address() {
        return list;
    }

    /** The address of the first node, or 0 if the list is empty. */
    public long firstNode() {
        return c.getLong(list + LIST_HEAD);
    }

    public long size() {
        return c.getLong(list + LIST_SIZE);
    }

    /** Adds {@code value} at the front: one malloc. */
    public void push(long value) {
        // BEGIN SOLUTION
        long node = newNode(value);
        c.putLong(node + NODE_NEXT, firstNode());
        c.putLong(list + LIST_HEAD, node);
        c.putLong(list + LIST_SIZE, size() + 1);
        // END SOLUTION
    }

    /** Adds {@code value} at the end: one malloc. */
    public void append(long value) {
        // BEGIN SOLUTION
        long node = newNode(value);
        long link = list + LIST_HEAD;
        while (c.getLong(link) != 0) {
            link = c.getLong(link) + NODE_NEXT;
        }
        c.putLong(link, node);
        c.putLong(list + LIST_SIZE, size() + 1);
        // END SOLUTION
    }

    /** The value at {@code index} (0 is the front). */
    public long get(long index) {
        // BEGIN SOLUTION
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("index " + index + ", size " + size());
        }
        long node = firstNode();
        for (long i = 0; i < index; i++) {
            node = c.getLong(node + NODE_NEXT);
        }
        return c.getLong(node + NODE_VALUE);
        // END SOLUTION
    }

    /** Removes the front node, frees it and returns its value. */
    public long removeFirst() {
        // BEGIN SOLUTION
        long node = firstNode();
        if (node == 0) {
            throw new IllegalStateException("empty list");
        }
        long value = c.getLong(node + NODE_VALUE);
        c.putLong(list + LIST_HEAD, c.getLong(node + NODE_NEXT));
        c.putLong(list + LIST_SIZE, size() - 1);
        c.free(node);
        return value;
        // END SOLUTION
    }

    /** Reverses the list in place, without allocating. */
    public void reverse() {
        // BEGIN SOLUTION
        long prev = 0;
        long node = firstNode();
        while (node != 0) {
            long next = c.getLong(node + NODE_NEXT);
            c.putLong(node + NODE_NEXT, prev);
            prev = node;
            node = next;
        }
        c.putLong(list + LIST_HEAD, prev);
        // END SOLUTION
    }

    /** {@code list_free}: frees every node and the list itself. The object must not be used afterwards. */
    public void destroy() {
        // BEGIN SOLUTION
        long node = firstNode();
        while (node != 0) {
            long next = c.getLong(node + NODE_NEXT);
            c.free(node);
            node = next;
        }
        c.free(list);
        // END SOLUTION
    }

    // BEGIN SOLUTION
    private long newNode(long value) {
        long node = c.malloc(NODE_SIZE);
        if (node == 0) {
            throw new OutOfMemoryError("malloc failed");
        }
        c.putLong(node + NODE_VALUE, value);
        c.putLong(node + NODE_NEXT, 0);
        return node;
    }
    // END SOLUTION
}
