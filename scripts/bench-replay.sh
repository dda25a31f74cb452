#!/usr/bin/env bash
# Times whole-process replay of one multi-million-op trace: the native C harness on the real glibc,
# `mallocscope replay --format offsets`, and the samples' `replay` under the recording agent.
# Usage: scripts/bench-replay.sh [OPS]   (default 3000000). Needs gcc and the built jars.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ops="${1:-3000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for jar in benchmarks/target/mallocscope-benchmarks.jar cli/target/mallocscope-cli.jar \
           sample-programs/target/mallocscope-samples.jar agent/target/mallocscope-agent.jar; do
  [ -f "$root/$jar" ] || { echo "missing $jar: run ./mvnw package -DskipTests first" >&2; exit 1; }
done

java -cp "$root/benchmarks/target/mallocscope-benchmarks.jar" io.mallocscope.benchmarks.GenerateTrace "$ops" > "$work/t.rep"
gcc -O2 -o "$work/replay" "$root/runtime/src/test/c/replay.c"

run() { # label, command...: prints the best wall time of three runs, and the least CPU time (user+sys)
  local label="$1"; shift
  local best="" cpu=""
  local TIMEFORMAT='%R %U %S'
  for _ in 1 2 3; do
    { time "$@" > "$work/out.txt" 2> "$work/err.txt"; } 2> "$work/time.txt" \
      || { echo "$label: failed" >&2; cat "$work/err.txt" >&2; exit 1; }
    read -r wall user sys < "$work/time.txt"
    best=$(awk -v a="$wall" -v b="$best" 'BEGIN { print (b == "" || a < b) ? a : b }')
    cpu=$(awk -v a="$user" -v s="$sys" -v b="$cpu" 'BEGIN { c = a + s; print (b == "" || c < b) ? c : b }')
  done
  printf '%-48s %6.2f s  (CPU %5.2f s)' "$label" "$best" "$cpu"
  if [ -n "${native_wall:-}" ]; then awk -v a="$best" -v n="$native_wall" 'BEGIN { printf "  %.1fx native", a / n }'; fi
  echo
  last_wall="$best"
}

echo "trace: $ops ops ($(wc -c < "$work/t.rep") bytes); best of 3 runs, whole process (wall; least user+sys CPU)"
run "native harness (real glibc $(getconf GNU_LIBC_VERSION | cut -d' ' -f2))" env -i "$work/replay" "$work/t.rep"
cp "$work/out.txt" "$work/native.txt"
native_wall="$last_wall"
run "mallocscope replay --format offsets" java -jar "$root/cli/target/mallocscope-cli.jar" replay "$work/t.rep" --format offsets
if cmp -s "$work/native.txt" "$work/out.txt"; then echo "  (output identical to the native harness)"; else echo "  (OUTPUT DIFFERS from the native harness)"; fi
run "samples replay, no agent" java -jar "$root/sample-programs/target/mallocscope-samples.jar" replay "$work/t.rep"
run "samples replay, with the recording agent" java -javaagent:"$root/agent/target/mallocscope-agent.jar=out=$work/t.timeline" \
    -jar "$root/sample-programs/target/mallocscope-samples.jar" replay "$work/t.rep"
echo "timeline: $(wc -c < "$work/t.timeline") bytes"
