package io.mallocscope.samples;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a sample program: its command-line name and a one-line description for {@code list}. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Sample {
    /** The name used with {@code mallocscope run NAME}, kebab-case. */
    String name();

    /** One line: what the sample shows. */
    String description();

    /** The exit status the sample is meant to end with (134 for the ones glibc aborts). */
    int expectedStatus() default 0;
}
