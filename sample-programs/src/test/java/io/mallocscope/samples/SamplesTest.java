package io.mallocscope.samples;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class SamplesTest {

    @Test
    void everySampleIsListedOnceWithAKebabCaseNameInTeachingOrder() {
        List<Samples.Info> list = Samples.list();
        assertThat(list).hasSizeGreaterThanOrEqualTo(24);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Samples.Info info = list.get(i);
            assertThat(info.number()).isEqualTo(i + 1);
            assertThat(info.name()).matches("[a-z0-9]+(-[a-z0-9]+)*");
            assertThat(names.add(info.name())).as("duplicate name %s", info.name()).isTrue();
            assertThat(info.description()).isNotBlank();
            assertThat(info.expectedStatus()).isIn(0, 134, 135);
        }
        assertThat(list.get(0).name()).isEqualTo("memory-layout");
        assertThat(list).last().extracting(Samples.Info::name).isEqualTo("replay");
        assertThat(list).filteredOn(Samples.Info::tool).extracting(Samples.Info::name).containsExactly("replay");
        assertThat(Samples.ALL).as("the teaching order holds lessons only").doesNotContain(Replay.class);
        assertThat(Samples.find("replay").orElseThrow().tool()).isTrue();
        assertThat(Samples.find("first-fit")).isPresent();
        assertThat(Samples.find("no-such-sample")).isEmpty();
    }

    @Test
    void everyClassInAllIsAnnotatedAndInstantiable() {
        for (Class<? extends CProgram> type : Stream.concat(Samples.ALL.stream(), Samples.TOOLS.stream()).toList()) {
            assertThat(type.getAnnotation(Sample.class)).as(type.getName()).isNotNull();
        }
        for (Samples.Info info : Samples.list()) {
            assertThat(info.newInstance()).isInstanceOf(info.type());
        }
    }

    static Stream<Samples.Info> samplesThatNeedNoArguments() {
        return Samples.list().stream().filter(i -> !i.tool());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplesThatNeedNoArguments")
    void everySampleEndsWithItsDeclaredStatus(Samples.Info info) {
        CProcess.Captured r = SampleRun.run(info.type());
        assertThat(r.status().code()).as("%s; stderr:%n%s", info.name(), r.stderr()).isEqualTo(info.expectedStatus());
        assertThat(r.status().crash()).as("a Java exception escaped %s", info.name()).isNull();
    }

    @Test
    void replayRunsATraceGivenAsItsArgument(@TempDir Path dir) throws IOException {
        Path trace = Files.writeString(dir.resolve("t.rep"), "a 0 24\na 1 24\nf 0\na 2 24\n");
        CProcess.Captured r = SampleRun.run(Replay.class, trace.toString());
        assertThat(r.status().code()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).startsWith("replay: 4 operations from " + trace + "; program break at 0x55555557a000");

        CProcess.Captured usage = SampleRun.run(Replay.class);
        assertThat(usage.status().code()).isEqualTo(2);
        assertThat(usage.stderr()).startsWith("usage: replay TRACE");
    }

    @Test
    void theHow2heapPortsAreAllThere() {
        assertThat(Samples.list()).extracting(Samples.Info::name).contains("first-fit", "fastbin-dup",
                "fastbin-dup-into-stack", "tcache-poisoning", "tcache-house-of-spirit", "house-of-spirit",
                "unsafe-unlink", "overlapping-chunks", "large-bin-attack", "poison-null-byte",
                "house-of-botcake", "fastbin-reverse-into-tcache", "tcache-stashing-unlink-attack",
                "house-of-einherjar", "decrypt-safe-linking", "fastbin-dup-consolidate", "house-of-lore",
                "mmap-overlapping-chunks", "sysmalloc-int-free", "house-of-tangerine",
                "house-of-water", "safe-link-double-protect", "tcache-metadata-poisoning",
                "tcache-relative-write");
    }
}
