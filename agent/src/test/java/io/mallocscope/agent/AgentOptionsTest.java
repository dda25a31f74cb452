package io.mallocscope.agent;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AgentOptionsTest {

    @Test
    void defaultsRecordEverythingWithStaticSites() {
        AgentOptions o = AgentOptions.parse(null);
        assertThat(o.out).isNull();
        assertThat(o.recordSpec()).isEqualTo("calls+transitions+syscalls+writes+output");
        // an attached agent cannot capture output: its header does not claim it (issue #17)
        assertThat(o.recordSpec(false)).isEqualTo("calls+transitions+syscalls+writes");
        assertThat(o.sites).isEqualTo("static");
        assertThat(o.flushMillis).isEqualTo(50);
        assertThat(o.problems).isEmpty();
    }

    @Test
    void recordTakesAListAfterTheComma() {
        AgentOptions o = AgentOptions.parse("out=t.timeline,record=calls,transitions,writes,sites=stack,flush=20,quiet");
        assertThat(o.out).isEqualTo("t.timeline");
        assertThat(o.recordSpec()).isEqualTo("calls+transitions+writes");
        assertThat(o.sites).isEqualTo("stack");
        assertThat(o.flushMillis).isEqualTo(20);
        assertThat(o.quiet).isTrue();
        assertThat(o.problems).isEmpty();
        assertThat(AgentOptions.parse("record=calls+syscalls").recordSpec()).isEqualTo("calls+syscalls");
        assertThat(AgentOptions.parse("record=calls,output").recordSpec()).isEqualTo("calls+output");
        assertThat(AgentOptions.parse("record=output").output).isTrue();
        assertThat(AgentOptions.parse("record=calls+writes").output).isFalse();
        assertThat(AgentOptions.parse("record=all").recordSpec()).isEqualTo("calls+transitions+syscalls+writes+output");
    }

    @Test
    void everyBadOptionIsOneLineListingTheAcceptedOnes() {
        AgentOptions o = AgentOptions.parse("outt=x,sites=maybe,flush=0,record=calls,nothing");
        assertThat(o.problems.toString().lines()).containsExactly(
                "mallocscope: unknown option 'outt'; " + AgentOptions.USAGE,
                "mallocscope: sites=maybe is not static, stack or off; " + AgentOptions.USAGE,
                "mallocscope: flush=0 is not a number of milliseconds between 1 and 10000; " + AgentOptions.USAGE,
                "mallocscope: unknown option 'nothing'; " + AgentOptions.USAGE);
        assertThat(o.flushMillis).isEqualTo(50);
        assertThat(o.sites).isEqualTo("static");
        assertThat(o.recordSpec()).isEqualTo("calls");
    }

    @Test
    void anEmptyRecordIsSaidAndRecordsAll() {
        for (String args : new String[] {"record=", "record=+", "out=t.timeline,record="}) {
            AgentOptions o = AgentOptions.parse(args);
            assertThat(o.problems.toString().lines()).as(args).hasSize(1).first().asString()
                    .startsWith("mallocscope: record=").contains("names nothing to record (recording all)");
            assertThat(o.recordSpec()).as(args).isEqualTo("calls+transitions+syscalls+writes+output");
        }
    }
}
