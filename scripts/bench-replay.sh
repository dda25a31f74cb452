#!/usr/bin/env bash
# Whole-process replay of one generated multi-million-op trace, measured the way the README's speed
# table reports it: the native C harness (runtime/src/test/c/replay.c) on the real glibc against
# `./mallocscope replay TRACE --format offsets`. The two run interleaved, one after the other in each
# of ROUNDS rounds (so a burst of load hits both sides alike), after one unmeasured warm-up run each;
# the medians of wall time, CPU time (user + sys of all threads: JIT and GC included) and peak RSS are
# printed as the README's rows, with the load average before and after. Every replay's output is
# checked to be the native harness's, byte for byte. Then the recording's cost on the same trace (the
# samples' `replay` without and with the agent, ROUNDS pairs) is measured by scripts/bench-agent.sh,
# the one measurement of the agent's costs, so both scripts give the same figure the same way.
#
# Usage: scripts/bench-replay.sh [OPS [ROUNDS]]   (default 5000000 ops, 5 rounds: a few minutes)
#        BENCH_RECORDING=0 scripts/bench-replay.sh   leaves out the recording
# Needs gcc, GNU time (/usr/bin/time) and the built jars (./mvnw package -DskipTests).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ops="${1:-5000000}"
rounds="${2:-5}"
recording="${BENCH_RECORDING:-1}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for jar in benchmarks/target/mallocscope-benchmarks.jar cli/target/mallocscope-cli.jar \
           sample-programs/target/mallocscope-samples.jar agent/target/mallocscope-agent.jar; do
  [ -f "$root/$jar" ] || { echo "missing $jar: run ./mvnw package -DskipTests first" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2; exit 1; }
command -v gcc > /dev/null || { echo "needs gcc for the native harness" >&2; exit 1; }

java -cp "$root/benchmarks/target/mallocscope-benchmarks.jar" io.mallocscope.benchmarks.GenerateTrace "$ops" > "$work/t.rep"
gcc -O2 -o "$work/replay" "$root/runtime/src/test/c/replay.c"
glibc="$(getconf GNU_LIBC_VERSION | cut -d' ' -f2)"

# the measured programs, in the order they run in a round; cmd_LABEL is each one's command
labels=(native mallocscope)
cmd_native=(env -i "$work/replay" "$work/t.rep")
cmd_mallocscope=("$root/mallocscope" replay "$work/t.rep" --format offsets)

measure() { # label round: runs the command once; from round 1 on appends "wall cpu rss_kib" to LABEL.runs
  local label="$1" round="$2"
  local -n cmd="cmd_$label"
  if ! /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "${cmd[@]}" > "$work/out.txt" 2> "$work/err.txt"; then
    echo "$label: failed" >&2; cat "$work/err.txt" >&2; exit 1
  fi
  if [ "$round" != 0 ] && grep -q "building the jars" "$work/err.txt"; then
    echo "$label: the launcher rebuilt the jars in round $round (sources changed while measuring): run again" >&2; exit 1
  fi
  if [ "$label" = native ]; then
    cp "$work/out.txt" "$work/native.txt"
  elif [ "$label" = mallocscope ] && ! cmp -s "$work/native.txt" "$work/out.txt"; then
    echo "mallocscope replay: OUTPUT DIFFERS from the native harness" >&2; exit 1
  fi
  [ "$round" = 0 ] || awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$work/time.txt" >> "$work/$label.runs"
}

median() { # column of a runs file
  sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "trace: $ops ops ($(wc -c < "$work/t.rep") bytes, GenerateTrace $ops); $rounds rounds after a warm-up, interleaved" >&2
for round in $(seq 0 "$rounds"); do
  for l in "${labels[@]}"; do
    measure "$l" "$round"
  done
  [ "$round" = 0 ] || echo "  round $round of $rounds done (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

for l in "${labels[@]}"; do
  declare "wall_$l=$(median "$work/$l.runs" 1)" "cpu_$l=$(median "$work/$l.runs" 2)" "rss_$l=$(median "$work/$l.runs" 3)"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

echo "Medians of $rounds interleaved runs, $(nproc) cores, load average $load_before before, $load_after after:"
echo
echo "| $ops-op mixed trace (\`scripts/bench-replay.sh $ops $rounds\`) | native harness, glibc $glibc | \`./mallocscope replay --format offsets\` | ratio |"
echo "|---|---|---|---|"
echo "| wall time | ${wall_native} s | ${wall_mallocscope} s | $(ratio "$wall_mallocscope" "$wall_native")× |"
echo "| CPU time (user + sys, all threads) | ${cpu_native} s | ${cpu_mallocscope} s | $(ratio "$cpu_mallocscope" "$cpu_native")× |"
echo "| peak memory (RSS) | $(mib "$rss_native") MiB | $(mib "$rss_mallocscope") MiB | $(ratio "$rss_mallocscope" "$rss_native")× |"
if [ "$recording" = 1 ]; then
  echo
  echo "Recording everything on the same trace (scripts/bench-agent.sh $ops 0 $rounds, TRACE=the trace above):"
  TRACE="$work/t.rep" "$root/scripts/bench-agent.sh" "$ops" 0 "$rounds"
fi
