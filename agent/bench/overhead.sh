#!/usr/bin/env bash
# What recording costs (numbers in docs/agent.md). Replays a generated multi-million-op trace through
# the replay sample without the agent, with it (everything recorded, static call sites), with
# StackWalker call sites, and with calls only; reports wall and CPU (user+sys) time, best of 3. Then
# the timeline's size per event, the time to rebuild steps of a ~1M-event timeline, and a recording
# of more than 10M events under -Xmx64m (memory stays bounded).
# Usage: agent/bench/overhead.sh [OPS]   after: ./mvnw install -DskipTests && ./mvnw -pl agent test-compile
set -euo pipefail
cd "$(dirname "$0")/../.."
OPS=${1:-3000000}
AGENT=agent/target/mallocscope-agent.jar
SAMPLES=sample-programs/target/mallocscope-samples.jar
CP="$SAMPLES:agent/target/test-classes"
MAIN=io.mallocscope.agent.it.RunReplay
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
awk -v n="$OPS" -v seed=7 -f agent/bench/gen-trace.awk > "$WORK/t.rep"
awk -v n=240000 -v seed=7 -f agent/bench/gen-trace.awk > "$WORK/small.rep"
echo "trace: $OPS operations; $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"

TIMEFORMAT='%R %U %S'
measure() { # label, java options...
    local label=$1; shift
    local best_wall=999999 best_cpu=999999
    for i in 1 2 3; do
        local t
        t=$( { time java "$@" -cp "$CP" $MAIN "$WORK/t.rep" 2>/dev/null; } 2>&1 )
        read -r wall user sys <<<"$(tail -1 <<<"$t")"
        local w=$(echo "$wall * 1000 / 1" | bc) c=$(echo "($user + $sys) * 1000 / 1" | bc)
        (( w < best_wall )) && best_wall=$w
        (( c < best_cpu )) && best_cpu=$c
    done
    printf '%-36s wall %6d ms   cpu %6d ms\n' "$label" "$best_wall" "$best_cpu" >&2
    echo "$best_wall $best_cpu"
}
read -r bw bc < <(measure "no agent")
read -r fw fc < <(measure "agent: record=all, sites=static" -javaagent:$AGENT=out=$WORK/a.timeline,quiet)
read -r sw sc < <(measure "agent: record=all, sites=stack" -javaagent:$AGENT=out=$WORK/s.timeline,sites=stack,quiet)
read -r cw cc < <(measure "agent: record=calls, sites=static" -javaagent:$AGENT=out=$WORK/c.timeline,record=calls,quiet)
ratio() { echo "scale=2; $1 / $2" | bc; }
echo "overhead (wall / cpu): static sites x$(ratio $fw $bw) / x$(ratio $fc $bc), stack sites x$(ratio $sw $bw) / x$(ratio $sc $bc), calls only x$(ratio $cw $bw) / x$(ratio $cc $bc)"
java -cp "$CP" io.mallocscope.agent.it.TimelineStats "$WORK/a.timeline" | head -1
java -javaagent:$AGENT=out=$WORK/small.timeline,quiet -cp "$CP" $MAIN "$WORK/small.rep" 2>/dev/null
java -cp "$CP" io.mallocscope.agent.it.TimelineStats "$WORK/small.timeline"
# memory: >10M events recorded in a JVM limited to 64 MiB of heap (Churn holds nothing per round)
java -Xmx64m -javaagent:$AGENT=out=$WORK/m.timeline,quiet -cp "$CP" io.mallocscope.agent.it.Churn 2600000 >/dev/null
echo "recorded under -Xmx64m: $(java -cp "$CP" io.mallocscope.agent.it.TimelineStats "$WORK/m.timeline" | head -1)"
