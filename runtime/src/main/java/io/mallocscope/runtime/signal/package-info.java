/**
 * The signals that end a simulated process: {@link io.mallocscope.runtime.signal.Abort} (SIGABRT,
 * after glibc's integrity checks or {@code abort()}) and {@link io.mallocscope.runtime.signal.Segfault}
 * (SIGSEGV), {@link io.mallocscope.runtime.signal.OutOfMemoryKill} (SIGKILL from the OOM killer) and
 * others, all {@link io.mallocscope.runtime.signal.SimulatedSignal}s. A leaf package: it imports
 * nothing of the runtime, so the memory ({@code vm}) and allocator ({@code malloc}) packages can raise
 * signals without depending on the process package that catches them.
 */
package io.mallocscope.runtime.signal;
