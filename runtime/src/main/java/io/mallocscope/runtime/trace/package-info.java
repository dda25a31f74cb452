/**
 * Malloclab-style allocation traces ({@link io.mallocscope.runtime.trace.Trace}), whose operations are
 * the constants of {@link io.mallocscope.runtime.trace.TraceOp}; the one interpreter of traces,
 * {@link io.mallocscope.runtime.trace.TraceRunner}, which runs op after op straight on the allocator or
 * through {@code LibC} and describes each as a {@link io.mallocscope.runtime.trace.Step}; their replay
 * in the reference harness's "offsets" format ({@link io.mallocscope.runtime.trace.OffsetsReplay}),
 * which is compared line for line with real glibc; and the side-by-side replay of one trace under
 * several glibc versions ({@link io.mallocscope.runtime.trace.TraceComparison}, the engine of
 * {@code mallocscope compare}).
 */
package io.mallocscope.runtime.trace;
