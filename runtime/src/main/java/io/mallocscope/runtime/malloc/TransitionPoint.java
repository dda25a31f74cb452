package io.mallocscope.runtime.malloc;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of {@link Transitions}: a place where the allocator reports that a chunk changed
 * state. The recording agent finds its advice targets by this annotation.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface TransitionPoint {
}
