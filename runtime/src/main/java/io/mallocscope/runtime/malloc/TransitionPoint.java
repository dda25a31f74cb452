package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.event.EventKind;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of {@link Transitions}: a place where the allocator reports that a chunk changed
 * state, and the {@link EventKind} it records. The recording agent finds its advice targets by this
 * annotation and records each call as an event of that kind, the method's arguments in order as the
 * kind's {@link EventKind#fields()} say.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface TransitionPoint {
    /** The kind of event this hook records. */
    EventKind value();
}
