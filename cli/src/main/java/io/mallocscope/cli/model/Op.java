package io.mallocscope.cli.model;

import io.mallocscope.runtime.timeline.Event;

import java.util.List;

/**
 * One top-level call the program made, numbered from 1: {@code malloc(0x18) = 0x5555555592c0} at
 * {@code FirstFit.java:31}, and what it did: the events a timeline recorded inside it, or for a trace
 * (which records none) what changed, read off the heap before and after it.
 *
 * @param args    the arguments, already formatted as C shows them ({@code 0x18}, {@code 0x5555555592c0})
 * @param result  the formatted result, or null for a void call (free) or a call a signal cut short
 * @param site    {@code File.java:LINE}, or null when unknown
 * @param mem     the pointer the call handed out (malloc, calloc, realloc …), 0 if none
 * @param freed   the pointer the call gave back (free, realloc's old block when moved), 0 if none
 * @param events  the timeline's events inside the call, in order: the allocator's transitions, system calls,
 *                a signal, file events (typed: {@link Event#kind()}); empty for a trace
 * @param changes what the call changed, one line each ({@link Changes}); empty for a timeline
 * @param who     which thread or process made the call ({@code t2}, {@code pid 3}, {@code pid 3 t1}) when the
 *                source has several, else null
 */
public record Op(int number, String function, List<String> args, String result, String site, long mem, long freed,
                 List<Event> events, List<String> changes, String who) {
    public Op {
        args = List.copyOf(args);
        events = List.copyOf(events);
        changes = List.copyOf(changes);
    }

    /** A call of a recorded timeline, with its events. */
    public Op(int number, String function, List<String> args, String result, String site, long mem, long freed,
              List<Event> events) {
        this(number, function, args, result, site, mem, freed, events, List.of(), null);
    }

    /** A call of a source with one thread and one process. */
    public Op(int number, String function, List<String> args, String result, String site, long mem, long freed,
              List<Event> events, List<String> changes) {
        this(number, function, args, result, site, mem, freed, events, changes, null);
    }

    /**
     * How a view names the thread or process of a call: {@code t2} (thread 2; 0 is the main thread) when
     * the source has threads, {@code pid 3} when it has several processes, {@code pid 3 t1} with both;
     * null when it has neither.
     */
    public static String who(boolean threads, boolean processes, int pid, int thread) {
        if (processes) {
            return threads ? "pid " + pid + " t" + thread : "pid " + pid;
        }
        return threads ? "t" + thread : null;
    }

    /** {@code malloc(0x18)}. */
    public String call() {
        return function + "(" + String.join(", ", args) + ")";
    }

    /** The same call, explained by {@code changes}. */
    public Op withChanges(List<String> changes) {
        return new Op(number, function, args, result, site, mem, freed, events, changes, who);
    }
}
