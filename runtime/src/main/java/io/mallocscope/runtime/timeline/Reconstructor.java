package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.text.Hex;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.signal.SimulatedSignal;
import io.mallocscope.runtime.vm.Kernel;

import java.io.OutputStream;
import java.util.Optional;

/**
 * Rebuilds the simulated process of a timeline at any step by replaying its top-level calls and
 * the program's writes on a fresh {@link CProcess} made with the header's glibc profile, tunables
 * and limits. Since the allocator is deterministic, the replayed heap is the recorded heap, byte for
 * byte; each replayed result is checked against the recorded one, and the first difference is
 * reported by {@link #problem()}.
 *
 * <p>A recording of several threads or processes (format version 4) is replayed in the same
 * threads and processes: each call runs where its context record says it ran (see
 * {@link ReplayContexts}), so every thread's tcache and arena and every forked process's copy of
 * the heap are rebuilt too; {@link #stateAt} returns the program's process, whose
 * {@link CProcess#processes()} lists the forked ones.
 *
 * <p>The process is kept between calls: moving forward continues from it, moving backward replays
 * from the start (a 1M-event timeline replays in well under a second). The returned process is for
 * reading (inspection views); changing it would change later answers.
 */
public final class Reconstructor implements AutoCloseable {
    private static final OutputStream DISCARD = OutputStream.nullOutputStream();

    private final Timeline timeline;
    private CProcess process;
    private ReplayContexts contexts;
    private int nextEvent;
    private int step;
    private String problem;
    private String departure;
    private int departureEvent = -1;
    /** {@link #problem} is where the replay departed (not a difference from the start). */
    private boolean problemIsDeparture;
    private String departurePrefix;
    /** The side file's checkpoints to start from, or null. */
    private Checkpoints checkpoints;
    private String checkpointProblem;

    /** Rebuilds {@code timeline}'s states, starting from its nearest checkpoint when it has some. */
    public Reconstructor(Timeline timeline) {
        this(timeline, true);
    }

    Reconstructor(Timeline timeline, boolean useCheckpoints) {
        this.timeline = timeline;
        this.checkpoints = useCheckpoints ? timeline.checkpoints().orElse(null) : null;
        if (timeline.header().attached()) {
            problem = "the agent attached to a running process: the heap before that is unknown, "
                    + "so the state is rebuilt from the recorded calls only";
        }
    }

    /** Steps of the timeline: 0 (before the first call) to {@link Timeline#steps()}. */
    public int steps() {
        return timeline.steps();
    }

    /**
     * The process as it was after the {@code step}-th top-level call, including what the program
     * wrote before its next call.
     *
     * @throws IndexOutOfBoundsException for a step outside 0..{@link #steps()}
     * @throws IllegalArgumentException  if the header names a glibc profile, tunables, a kernel layout,
     *                                   program image or CPU count this runtime does not know
     */
    public CProcess stateAt(int step) {
        int end = timeline.endOfStep(step);
        if (process == null || step < this.step) {
            restart();
        }
        jump(end);
        while (nextEvent < end) {
            apply(nextEvent++);
        }
        this.step = step;
        return process;
    }

    /**
     * The process just before event {@code event} (0..{@link Timeline#size()}): every earlier depth-0
     * call and write replayed, none from {@code event} on. For views that look between a call and the
     * program's next write; moving forward is cheap, moving backward replays from the start.
     *
     * @throws IndexOutOfBoundsException for an event outside 0..size
     */
    public CProcess stateBefore(int event) {
        if (event < 0 || event > timeline.size()) {
            throw new IndexOutOfBoundsException("event " + event + " of " + timeline.size());
        }
        if (process == null || event < nextEvent) {
            restart();
        }
        jump(event);
        while (nextEvent < event) {
            apply(nextEvent++);
        }
        this.step = event == 0 ? 0 : timeline.stepOf(event - 1);
        return process;
    }

    /**
     * Replays the whole timeline and says where the replay first departs from the recording:
     * {@code "event 10 (step 6): malloc returned 0x…, the recording says 0x…"}; empty when every
     * call returns what it returned in the recording. Leaves the process at the last step.
     */
    public Optional<String> firstDeparture() {
        stateAt(steps());
        return Optional.ofNullable(departure);
    }

    /**
     * Why a checkpoint could not be restored (its side file changed or is damaged), once: the state
     * was then rebuilt from step 0 instead, and no checkpoint is used again. Empty if none failed.
     */
    public Optional<String> checkpointProblem() {
        return Optional.ofNullable(checkpointProblem);
    }

    /**
     * Moves to the last checkpoint at or before event {@code target} if it is ahead of the replay:
     * the process becomes the checkpoint's, and only the events after it are replayed. A checkpoint
     * that cannot be restored is said once ({@link #checkpointProblem()}), and the replay goes on
     * from step 0 without checkpoints.
     */
    private void jump(int target) {
        if (checkpoints == null) {
            return;
        }
        int c = checkpoints.atOrBefore(target);
        if (c < 0 || checkpoints.event(c) <= nextEvent) {
            return;
        }
        if (nextEvent > 0 && checkpoints.step(c) - step < checkpoints.every() / 4) {
            return; // a few steps ahead (a page or an explorer stepping forward): replaying them is cheaper
        }
        try {
            if (process == null || nextEvent > 0) {
                restart(); // else the process is the fresh one stateAt just made
            }
            checkpoints.restore(process, c);
            nextEvent = checkpoints.event(c);
            String[] d = checkpoints.departureBefore(nextEvent);
            if (d != null) {
                departed(d[0], d[1]);
                departureEvent = checkpoints.departureBeforeEvent();
            }
        } catch (java.io.IOException e) {
            checkpointProblem = e.getMessage() + "; rebuilt from step 0 instead";
            checkpoints = null;
            restart();
        }
    }

    int departureEvent() {
        return departureEvent;
    }

    String departureWhere() {
        return departure;
    }

    String departurePrefix() {
        return departurePrefix;
    }

    /**
     * Ends the replay's threads and forked processes (each runs on a Java thread of its own until then):
     * their exits change the process, so read what it returned before. A later {@link #stateAt} replays
     * from the start.
     */
    @Override
    public void close() {
        if (contexts != null) {
            contexts.dispose();
            contexts = null;
            process = null;
        }
    }

    /** The first replay difference (or why the state may be incomplete); empty if none. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /**
     * The first step whose rebuilt state may not be the recorded one: the step of the event where the
     * replay departed or failed, 0 for a problem from the start (another heap start); -1 while there is
     * no {@link #problem()}.
     */
    public int problemStep() {
        if (problem == null) {
            return -1;
        }
        return problemIsDeparture && departureEvent >= 0 ? timeline.stepOf(departureEvent) : 0;
    }

    private void restart() {
        TimelineHeader h = timeline.header();
        ProcessOptions o = ProcessOptions.defaults().withStdout(DISCARD).withStderr(DISCARD);
        if (!h.program().isEmpty()) {
            o = o.withProgramName(h.program());
        }
        if (!h.glibc().isEmpty()) {
            o = o.withGlibc(h.glibc());
        }
        if (!h.tunables().isEmpty()) {
            o = o.withTunables(h.tunables());
        }
        o = o.withDataLimit(h.getLong(TimelineHeader.DATA_LIMIT, Kernel.UNLIMITED))
                .withAddressSpaceLimit(h.getLong(TimelineHeader.ADDRESS_SPACE_LIMIT, Kernel.UNLIMITED))
                .withStdoutTerminal(Boolean.parseBoolean(h.get(TimelineHeader.STDOUT_TTY)));
        o = h.applyProcessFields(o);
        close();
        process = CProcess.create(o);
        contexts = new ReplayContexts(process);
        nextEvent = 0;
        step = 0;
        long heapStart = h.heapStart();
        if (heapStart != 0 && process.kernel().startBrk() != heapStart && problem == null) {
            problem = "the replayed process starts its heap at 0x" + Long.toHexString(process.kernel().startBrk())
                    + ", the recording at 0x" + Long.toHexString(heapStart);
        }
    }

    private void apply(int i) {
        EventKind kind = timeline.kind(i);
        // Only depth-0 calls and writes change memory; transitions follow from the calls, and output
        // (what was printed) changes nothing (the replayed process prints to nowhere).
        if (timeline.depth(i) != 0 || (kind != EventKind.CALL && kind != EventKind.WRITE && kind != EventKind.CONTEXT
                && kind != EventKind.PAGE_PRIVATE && kind != EventKind.WRITE_BACK)) {
            return;
        }
        Event e = timeline.event(i);
        try {
            if (kind == EventKind.CONTEXT) {
                contexts.switchTo(e.pid(), e.thread());
                return;
            }
            if (kind == EventKind.PAGE_PRIVATE) {
                // a store outside the recorded calls copied the page (its write, if recorded, does so too)
                contexts.pageMadePrivate(e.fileAddress());
                return;
            }
            if (kind == EventKind.WRITE_BACK) {
                // msync, fsync or exit, none of them a replayed call: the pages are clean from here on
                contexts.writtenBack(e.fileAddress(), e.pages());
                return;
            }
            if (kind == EventKind.WRITE) {
                io.mallocscope.runtime.vm.AddressSpace memory = contexts.memory();
                if (memory == null) {
                    return;
                }
                if (e.isFill()) {
                    memory.fill(e.address(), e.fillValue(), e.length());
                } else {
                    byte[] b = e.bytes();
                    memory.writeBytes(e.address(), b, 0, b.length);
                }
                return;
            }
            long[] a = e.args();
            if (e.fn() == Functions.MMAP && (a[3] & Kernel.MAP_ANONYMOUS) == 0) {
                Event done = findReturn(i);
                if (done != null && done.hasRet() && done.ret() != Kernel.MAP_FAILED) {
                    Event mapped = findInside(i, EventKind.FILE_MAP);
                    if (mapped != null) {
                        // the file's bytes are not in the timeline: the mapping is rebuilt over a stand-in
                        // page cache of that path, at the recorded place, shared or private as recorded
                        contexts.mapRecordedFile(done.ret(), a[1], (int) a[2], mapped);
                        return;
                    }
                    // a timeline of version 1 or 2 has no file events: memory at the recorded place
                    a = new long[] {done.ret(), a[1], a[2], Kernel.MAP_PRIVATE
                            | Kernel.MAP_ANONYMOUS | Kernel.MAP_FIXED, -1, 0};
                }
            }
            boolean has = Functions.hasResult(e.fn());
            long ret = contexts.call(e.fn(), a);
            if (e.fn() == Functions.WAITPID) {
                return; // not re-run: it returns what the recording says
            }
            Event r = i + 1 < timeline.size() ? findReturn(i) : null;
            if (has && r != null && r.hasRet() && r.ret() != ret) {
                departed("event " + i + " (step " + timeline.stepOf(i) + "): " + e.fnName() + " returned " + Hex.of(ret)
                        + ", the recording says " + Hex.of(r.ret()), "replay differs at ", i);
            }
        } catch (SimulatedSignal s) {
            // the recorded call ended the same way: the state is what the signal left
        } catch (RuntimeException ex) {
            departed("event " + i + " (" + e.kind().wireName() + "): " + ex.getMessage(), "replay failed at ", i);
        }
    }

    private void departed(String where, String problemPrefix, int event) {
        if (departure == null) {
            departureEvent = event;
            departurePrefix = problemPrefix;
        }
        departed(where, problemPrefix);
    }

    private void departed(String where, String problemPrefix) {
        if (departure == null) {
            departure = where;
        }
        if (problem == null) {
            problem = problemPrefix + where;
            problemIsDeparture = true;
        }
    }

    /** The first event of {@code kind} nested in the call at {@code call}, or null. */
    private Event findInside(int call, EventKind kind) {
        for (int j = call + 1; j < timeline.size() && timeline.depth(j) != 0; j++) {
            if (timeline.kind(j) == kind) {
                return timeline.event(j);
            }
        }
        return null;
    }

    private Event findReturn(int call) {
        for (int j = call + 1; j < timeline.size(); j++) {
            if (timeline.depth(j) == 0 && timeline.kind(j) == EventKind.RETURN) {
                return timeline.event(j);
            }
            if (timeline.depth(j) == 0 && timeline.kind(j) == EventKind.CALL) {
                return null;
            }
        }
        return null;
    }
}
