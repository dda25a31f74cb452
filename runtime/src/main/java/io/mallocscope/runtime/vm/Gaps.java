package io.mallocscope.runtime.vm;

import java.util.SplittableRandom;

/**
 * The free gaps between mappings, keyed by the address where each gap ends, with the largest gap
 * of every subtree kept at its root: the kernel's {@code rb_subtree_gap} augmentation, here on a
 * treap. Finding the highest gap of at least {@code len} bytes below an address takes O(log n)
 * expected steps however many mappings there are, which keeps {@code mmap}'s top-down search from
 * walking every mapping above the one it picks. Addresses and sizes are unsigned.
 */
final class Gaps {
    private static final class Node {
        final long end;
        final long size;
        final int priority;
        long max;
        Node left;
        Node right;

        Node(long end, long size, int priority) {
            this.end = end;
            this.size = size;
            this.priority = priority;
            this.max = size;
        }
    }

    private final SplittableRandom random = new SplittableRandom(0x6d616c6c6f63L);
    private Node root;
    private int count;

    int size() {
        return count;
    }

    /** Adds the gap {@code [end - size, end)}; no other gap may end at {@code end}. Empty gaps are not kept. */
    void add(long end, long size) {
        if (size == 0) {
            return;
        }
        Node[] parts = split(root, end);
        root = merge(merge(parts[0], new Node(end, size, random.nextInt())), parts[1]);
        count++;
    }

    /** Removes the gap ending at {@code end}, if there is one. */
    void remove(long end) {
        root = delete(root, end);
    }

    private Node delete(Node n, long end) {
        if (n == null) {
            return null;
        }
        int c = Long.compareUnsigned(end, n.end);
        if (c == 0) {
            count--;
            return merge(n.left, n.right);
        }
        if (c < 0) {
            n.left = delete(n.left, end);
        } else {
            n.right = delete(n.right, end);
        }
        update(n);
        return n;
    }

    /**
     * The end of the highest gap that ends at or below {@code high} and holds at least {@code len}
     * bytes, or 0 when there is none. (No gap ends at address 0.)
     */
    long highestFitting(long high, long len) {
        return find(root, high, len);
    }

    /** The size of the gap ending at {@code end}, or 0. */
    long sizeAt(long end) {
        Node n = root;
        while (n != null) {
            int c = Long.compareUnsigned(end, n.end);
            if (c == 0) {
                return n.size;
            }
            n = c < 0 ? n.left : n.right;
        }
        return 0;
    }

    private static long find(Node n, long high, long len) {
        while (n != null && Long.compareUnsigned(n.max, len) >= 0) {
            if (Long.compareUnsigned(n.end, high) > 0) {
                n = n.left;
                continue;
            }
            long right = find(n.right, high, len);
            if (right != 0) {
                return right;
            }
            if (Long.compareUnsigned(n.size, len) >= 0) {
                return n.end;
            }
            n = n.left;
        }
        return 0;
    }

    /** Splits into keys below {@code key} and keys at or above it. */
    private static Node[] split(Node n, long key) {
        if (n == null) {
            return new Node[2];
        }
        if (Long.compareUnsigned(n.end, key) < 0) {
            Node[] r = split(n.right, key);
            n.right = r[0];
            update(n);
            r[0] = n;
            return r;
        }
        Node[] l = split(n.left, key);
        n.left = l[1];
        update(n);
        l[1] = n;
        return l;
    }

    private static Node merge(Node a, Node b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a.priority > b.priority) {
            a.right = merge(a.right, b);
            update(a);
            return a;
        }
        b.left = merge(a, b.left);
        update(b);
        return b;
    }

    private static void update(Node n) {
        long m = n.size;
        if (n.left != null && Long.compareUnsigned(n.left.max, m) > 0) {
            m = n.left.max;
        }
        if (n.right != null && Long.compareUnsigned(n.right.max, m) > 0) {
            m = n.right.max;
        }
        n.max = m;
    }
}
