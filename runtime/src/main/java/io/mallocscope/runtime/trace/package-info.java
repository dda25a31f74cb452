/**
 * Malloclab-style allocation traces ({@link io.mallocscope.runtime.trace.Trace}) and their replay in
 * the reference harness's "offsets" format ({@link io.mallocscope.runtime.trace.OffsetsReplay}), which
 * is compared line for line with real glibc.
 */
package io.mallocscope.runtime.trace;
