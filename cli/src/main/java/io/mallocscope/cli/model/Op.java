package io.mallocscope.cli.model;

import java.util.List;

/**
 * One top-level call the program made, numbered from 1: {@code malloc(0x18) = 0x5555555592c0} at
 * {@code FirstFit.java:31}, and the transitions it caused, in order.
 *
 * @param args   the arguments, already formatted as C shows them ({@code 0x18}, {@code 0x5555555592c0})
 * @param result the formatted result, or null for a void call (free) or a call a signal cut short
 * @param site   {@code File.java:LINE}, or null when unknown
 * @param mem    the pointer the call handed out (malloc, calloc, realloc …), 0 if none
 * @param freed  the pointer the call gave back (free, realloc's old block when moved), 0 if none
 */
public record Op(int number, String function, List<String> args, String result, String site, long mem, long freed,
                 List<Transition> transitions) {
    public Op {
        args = List.copyOf(args);
        transitions = List.copyOf(transitions);
    }

    /** {@code malloc(0x18)}. */
    public String call() {
        return function + "(" + String.join(", ", args) + ")";
    }
}
