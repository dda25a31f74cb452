package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.malloc.BinKind;
import io.mallocscope.runtime.malloc.Transitions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Event#transition}: an allocator transition made by hand reads back as a recorded one does. */
class EventTransitionTest {
    @Test
    void valuesAreTheHooksArgumentsInOrder() {
        Event e = Event.transition(EventKind.BIN_INSERT, BinKind.UNSORTED, 1, 0x555555559290L, 0x520, Transitions.FREE);
        assertThat(e.kind()).isEqualTo(EventKind.BIN_INSERT);
        assertThat(e.chunk()).isEqualTo(0x555555559290L);
        assertThat(e.size()).isEqualTo(0x520);
        assertThat(e.bin()).isEqualTo("unsorted");
        assertThat(e.index()).isEqualTo(1);
        assertThat(e.reason()).isEqualTo("free");
        Event top = Event.transition(EventKind.TOP_EXTEND, 0x1000, 0x20, 0x2000, 0x21000);
        assertThat(top.chunk()).isEqualTo(0x2000);
        assertThat(top.other()).isEqualTo(0x1000);
        assertThat(top.otherSize()).isEqualTo(0x20);
    }

    @Test
    void onlyTransitionsWithTheirFieldCount() {
        assertThatThrownBy(() -> Event.transition(EventKind.SPLIT, 1, 2, 3))
                .hasMessage("split takes 4 values, not 3");
        assertThatThrownBy(() -> Event.transition(EventKind.ABORT))
                .hasMessage("abort takes a record of its own");
    }
}
