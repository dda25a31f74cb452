#!/usr/bin/env bash
# Times views of a timeline of about 10 million events against the same views of a 40-event one
# (#16 point 4: time travel at constant cost). Whole processes, median of RUNS runs (wall, and
# user+sys CPU), with the load average before and after: the figures mean little on a busy machine.
# Usage: scripts/bench-timetravel.sh [OPS [RUNS]]   (default 2000000 ops ≈ 9.7M events, 5 runs)
# Each view (bins, heap, vis, maps, arenas, diff) at the first step, the middle one (1023 calls past a
# checkpoint: the farthest a step gets) and the last, against first-fit's first, middle and last.
# Through ./mallocscope as users run it: its class data archive, and C1 alone for these views of a
# file with its side file beside it or under 256 KiB (so for both timelines once the first view ran).
# Needs the built jars (./mvnw package -DskipTests). Takes a few minutes: recording, the first view
# (which writes the checkpoints), then 5 runs of each view.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ops="${1:-2000000}"
runs="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mallocscope="$root/mallocscope" # the launcher users run (with its class data archive)
for jar in benchmarks/target/mallocscope-benchmarks.jar cli/target/mallocscope-cli.jar \
           sample-programs/target/mallocscope-samples.jar agent/target/mallocscope-agent.jar; do
  [ -f "$root/$jar" ] || { echo "missing $jar: run ./mvnw package -DskipTests first" >&2; exit 1; }
done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

java -cp "$root/benchmarks/target/mallocscope-benchmarks.jar" io.mallocscope.benchmarks.GenerateTrace "$ops" > "$work/t.rep"
java -javaagent:"$root/agent/target/mallocscope-agent.jar=out=$work/big.timeline" \
    -jar "$root/sample-programs/target/mallocscope-samples.jar" replay "$work/t.rep" > /dev/null
"$mallocscope" run --view none --out "$work/small.timeline" first-fit > /dev/null 2>&1

steps() { "$mallocscope" timeline "$1" --format jsonl 2>/dev/null | head -1 | sed 's/.*"events":\([0-9]*\),"steps":\([0-9]*\).*/\1 \2/'; }

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

time1() { # prints "wall cpu" of one run of the command (output discarded)
  local TIMEFORMAT='%R %U %S'
  { time "$@" > /dev/null 2> "$work/err.txt"; } 2> "$work/time.txt" || { cat "$work/err.txt" >&2; exit 1; }
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$work/time.txt"
}

measure() { # label, command...: the median wall and CPU time of $runs runs
  local label="$1"; shift
  : > "$work/runs.txt"
  for _ in $(seq "$runs"); do time1 "$@" >> "$work/runs.txt"; done
  local wall cpu
  wall=$(cut -d' ' -f1 "$work/runs.txt" | median)
  cpu=$(cut -d' ' -f2 "$work/runs.txt" | median)
  printf '%-44s %6.2f s  (CPU %5.2f s)\n' "$label" "$wall" "$cpu"
  last_wall="$wall"; last_cpu="$cpu"
}

read -r big_events big_steps <<< "$(steps "$work/big.timeline")"
read -r small_events small_steps <<< "$(steps "$work/small.timeline")"
echo "big: $big_events events, $big_steps steps, $(wc -c < "$work/big.timeline") bytes; small: $small_events events, $small_steps steps"

read -r first_wall first_cpu <<< "$(time1 "$mallocscope" bins "$work/big.timeline" --at 1)"
printf '%-44s %6.2f s  (CPU %5.2f s): %s\n' "first view of big (writes its checkpoints)" "$first_wall" "$first_cpu" \
  "$(cat "$work/err.txt")"
echo "side file: $(wc -c < "$work/big.timeline.ckpt") bytes"

echo "median of $runs runs, whole process: wall (CPU user+sys); ratio big/small"
row() { # view, small step, big step: the view at that step of each (diff: from the step before)
  local view="$1" s="$2" b="$3"
  local sa=(--at "$s") ba=(--at "$b")
  if [ "$view" = diff ]; then sa=(--at $((s - 1)) --to "$s"); ba=(--at $((b - 1)) --to "$b"); fi
  measure "$view small.timeline ${sa[*]}" "$mallocscope" "$view" "$work/small.timeline" "${sa[@]}"
  local sw="$last_wall" sc="$last_cpu"
  measure "$view big.timeline ${ba[*]}" "$mallocscope" "$view" "$work/big.timeline" "${ba[@]}"
  awk -v a="$last_wall" -v b="$sw" -v c="$last_cpu" -v d="$sc" \
    'BEGIN { printf "  big/small: %.2fx wall, %.2fx CPU\n", a / b, c / d }'
}
every=1024 # Checkpoints.DEFAULT_EVERY: the middle step is the one farthest from a checkpoint
mid=$(( (big_steps / 2) / every * every + every - 1 ))
small_mid=$(( (small_steps + 1) / 2 ))
for view in bins heap vis maps arenas diff; do
  row "$view" 1 1
  row "$view" "$small_mid" "$mid"
  row "$view" "$small_steps" "$big_steps"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
