#!/usr/bin/env bash
# What the recording agent costs, as whole processes, each measure paired with the same run without
# the agent and interleaved with it (without, with, without, with, ...), reported as medians:
#   start-up:  the first-fit sample (a few calls)             -- issue #16.3: with the agent <= 2x without
#   recording: the samples' replay of a GenerateTrace trace   -- issue #16.2: recording all <= 1.25x without
# Usage: scripts/bench-agent.sh [OPS] [START_PAIRS] [REPLAY_PAIRS]   (defaults 5000000, 11, 5; a few minutes)
# This is the one measurement of both: scripts/bench-replay.sh runs its recording part.
# Every run is measured alike: one unmeasured pair first, then before each measured run `sync` (not
# timed: no earlier run's or other program's dirty pages are being written back while it runs) and its
# timeline file removed (each run writes a new file, as a first recording does); wall and CPU time
# (user + sys of all the JVM's threads: JIT, GC and the agent's writer included) come from bash's time,
# the peak RSS from GNU time (/usr/bin/time) when there is one. The runs with the agent keep its call-site
# cache in a temporary XDG_CACHE_HOME (the unmeasured pair fills it); start-up is also measured with an
# empty cache each time (a program's first run under the agent).
# Needs the built jars (./mvnw package -DskipTests). AGENT=/path/to/agent.jar and SAMPLES=/path/to/samples.jar
# measure other builds (an older agent, say). EXTRA_JAVA_OPTS is added to every java command, AGENT_OPTS to
# the agent's options (AGENT_OPTS=sites=off, say). START_PAIRS or REPLAY_PAIRS 0 skips that part.
# TRACE=FILE replays that trace instead of generating one of OPS operations.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ops="${1:-5000000}"
start_pairs="${2:-11}"
replay_pairs="${3:-5}"
agent="${AGENT:-$root/agent/target/mallocscope-agent.jar}"
samples="${SAMPLES:-$root/sample-programs/target/mallocscope-samples.jar}"
bench="$root/benchmarks/target/mallocscope-benchmarks.jar"
for jar in "$agent" "$samples" "$bench"; do
  [ -f "$jar" ] || { echo "missing $jar: run ./mvnw package -DskipTests first" >&2; exit 1; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2206
extra=(${EXTRA_JAVA_OPTS:-})
opts="out=$work/t.timeline,quiet${AGENT_OPTS:+,$AGENT_OPTS}"

once() { # file-to-append, command...: appends "wall cpu rss_kib" of one run (after a sync, untimed)
  local out="$1"; shift
  rm -f "$work/t.timeline" "$work/rss.txt"
  sync
  local rss=() TIMEFORMAT='%R %U %S' # bash's time: milliseconds; GNU time's: only hundredths
  [ ! -x /usr/bin/time ] || rss=(/usr/bin/time -f '%M' -o "$work/rss.txt")
  { time "${rss[@]}" "$@" > "$work/out.txt" 2> "$work/err.txt"; } 2> "$work/time.txt" \
    || { echo "failed: $*" >&2; cat "$work/err.txt" >&2; exit 1; }
  awk -v rss="$(cat "$work/rss.txt" 2> /dev/null || echo -)" '{ printf "%s %.3f %s\n", $1, $2 + $3, rss }' \
    "$work/time.txt" >> "$out"
}

median() { # file, column: the median of that column
  sort -g -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

paired() { # label, pairs, cold, args...: runs java ARGS without and with the agent, interleaved, after one
  # unmeasured pair; cold=1 adds a third run each round, with the agent and an empty call-site cache (a
  # program's first run under the agent)
  local label="$1" pairs="$2" cold="$3"; shift 3
  : > "$work/without"; : > "$work/with"; : > "$work/cold"
  once "$work/warm-up" java "${extra[@]}" "$@"
  once "$work/warm-up" env XDG_CACHE_HOME="$work/cache" java "${extra[@]}" -javaagent:"$agent=$opts" "$@"
  for ((i = 0; i < pairs; i++)); do
    once "$work/without" java "${extra[@]}" "$@"
    once "$work/with" env XDG_CACHE_HOME="$work/cache" java "${extra[@]}" -javaagent:"$agent=$opts" "$@"
    if [ "$cold" = 1 ]; then
      rm -rf "$work/cold-cache"
      once "$work/cold" env XDG_CACHE_HOME="$work/cold-cache" java "${extra[@]}" -javaagent:"$agent=$opts" "$@"
    fi
  done
  local w0 c0 m0
  w0=$(median "$work/without" 1); c0=$(median "$work/without" 2); m0=$(median "$work/without" 3)
  printf '%-10s without the agent:    wall %6.3f s  CPU %6.3f s  RSS %s\n' "$label" "$w0" "$c0" "$(mib "$m0")"
  report() { # file, label
    local w1 c1 m1
    w1=$(median "$1" 1); c1=$(median "$1" 2); m1=$(median "$1" 3)
    printf '%-10s %-21s wall %6.3f s  CPU %6.3f s  RSS %s   => %.2fx wall, %.2fx CPU (medians of %d pairs)\n' \
      "" "$2" "$w1" "$c1" "$(mib "$m1")" "$(awk -v a="$w1" -v b="$w0" 'BEGIN { print a / b }')" \
      "$(awk -v a="$c1" -v b="$c0" 'BEGIN { print a / b }')" "$pairs"
  }
  report "$work/with" "with the agent:"
  if [ "$cold" = 1 ]; then report "$work/cold" "agent, empty cache:"; fi
}

mib() { # KiB (or -) as MiB
  awk -v k="$1" 'BEGIN { if (k + 0 > 0) printf "%.0f MiB", k / 1024; else printf "-" }'
}

echo "$(nproc) CPUs; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "agent: $agent ($opts)"
if [ "$start_pairs" -gt 0 ]; then
  paired "start-up" "$start_pairs" 1 -jar "$samples" first-fit
  echo "           first-fit's timeline: $(wc -c < "$work/t.timeline") bytes"
fi
if [ "$replay_pairs" -gt 0 ]; then
  trace="${TRACE:-}"
  if [ -z "$trace" ]; then
    trace="$work/t.rep"
    java -cp "$bench" io.mallocscope.benchmarks.GenerateTrace "$ops" > "$trace"
  fi
  paired "recording" "$replay_pairs" 0 -jar "$samples" replay "$trace"
  echo "           replay of $(grep -c . "$trace") trace lines ($(basename "$trace")): timeline $(wc -c < "$work/t.timeline") bytes"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
