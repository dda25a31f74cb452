package io.mallocscope.cli.model;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** Names read into the sorted arrays and given after, taken away again (a restored narration's differences). */
class ChunkNamesTest {
    @Test
    void aNameTakenAwayIsGoneFromGetAllAndACopyAndCanBeGivenAgain() throws IOException {
        ChunkNames saved = new ChunkNames();
        saved.put(0x100, 1);
        saved.put(0x200, 2);
        saved.put(0x300, 3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        saved.write(new DataOutputStream(bytes), saved.all());
        ChunkNames n = new ChunkNames();
        n.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))); // into the arrays
        n.put(0x400, 4);
        n.remove(0x200); // from the arrays
        n.remove(0x400); // given after them
        n.remove(0x999); // never named: nothing
        assertThat(n.get(0x200)).isNull();
        assertThat(n.get(0x400)).isNull();
        assertThat(n.get(0x300)).isEqualTo(3);
        assertThat(n.all()).containsExactly(0x100, 0x300);
        ChunkNames copy = n.copy();
        assertThat(copy.all()).containsExactly(0x100, 0x300);
        n.put(0x200, 7);
        assertThat(n.get(0x200)).isEqualTo(7);
        assertThat(n.all()).containsExactly(0x100, 0x200, 0x300);
        assertThat(copy.get(0x200)).as("the copy keeps its own").isNull();
    }
}
