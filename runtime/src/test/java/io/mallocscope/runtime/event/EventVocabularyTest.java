package io.mallocscope.runtime.event;

import io.mallocscope.runtime.malloc.TransitionPoint;
import io.mallocscope.runtime.malloc.Transitions;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hooks and the codec speak one vocabulary: every allocator transition kind has exactly one
 * {@code @TransitionPoint} hook, whose parameters are the kind's stored fields in order (numbers for
 * {@code P}, {@code U}, {@code S}); the abort point carries glibc's message.
 */
class EventVocabularyTest {
    @Test
    void everyTransitionKindHasOneHookWithItsFields() {
        Map<EventKind, Method> hooks = new EnumMap<>(EventKind.class);
        for (Method m : Transitions.class.getDeclaredMethods()) {
            TransitionPoint p = m.getAnnotation(TransitionPoint.class);
            if (p == null) {
                continue;
            }
            assertThat(Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers())).as(m.getName()).isTrue();
            assertThat(hooks.put(p.value(), m)).as("a second hook for " + p.value()).isNull();
        }
        for (EventKind k : EventKind.values()) {
            if (k.isTransition()) {
                Method m = hooks.get(k);
                assertThat(m).as("the hook of " + k).isNotNull();
                assertThat(m.getParameterCount()).as(m.getName()).isEqualTo(k.fields().length());
                for (Class<?> t : m.getParameterTypes()) {
                    assertThat(t == long.class || t == int.class).as(m.getName() + " takes numbers").isTrue();
                }
                assertThat(k.fields()).matches("[PUS]*");
            }
        }
        assertThat(hooks.get(EventKind.ABORT).getParameterTypes()).containsExactly(String.class);
        assertThat(hooks.keySet().stream().filter(k -> !k.isTransition())).containsExactly(EventKind.ABORT);
    }

    @Test
    void wireNamesAndTagsStayAsRecordedTimelinesHaveThem() {
        assertThat(EventKind.ofTag(0)).isEqualTo(EventKind.CALL);
        assertThat(EventKind.ofTag(4)).isEqualTo(EventKind.BIN_INSERT);
        assertThat(EventKind.ofTag(14)).isEqualTo(EventKind.THRESHOLD);
        assertThat(EventKind.ofTag(18)).isEqualTo(EventKind.OUTPUT);
        assertThat(EventKind.ofTag(19)).isEqualTo(EventKind.OPEN);
        assertThat(EventKind.ofTag(24)).isEqualTo(EventKind.SIGBUS);
        assertThat(EventKind.ofTag(25)).isEqualTo(EventKind.CONTEXT);
        assertThat(EventKind.CONTEXT.isFileEvent()).isFalse();
        assertThat(EventKind.ofTag(26)).isNull();
        assertThat(EventKind.TOP_EXTEND.wireName()).isEqualTo("top_extend");
    }
}
