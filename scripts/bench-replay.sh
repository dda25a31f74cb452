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

run() { # label, command...: prints the best wall time of three runs
  local label="$1"; shift
  local best=0
  for _ in 1 2 3; do
    local start end
    start=$(date +%s%N)
    "$@" > "$work/out.txt"
    end=$(date +%s%N)
    local t=$(( (end - start) / 1000000 ))
    if [ "$best" -eq 0 ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  printf '%-48s %6d.%02d s\n' "$label" $((best / 1000)) $(((best % 1000) / 10))
}

echo "trace: $ops ops ($(wc -c < "$work/t.rep") bytes); best of 3 runs, whole process"
run "native harness (real glibc $(getconf GNU_LIBC_VERSION | cut -d' ' -f2))" env -i "$work/replay" "$work/t.rep"
cp "$work/out.txt" "$work/native.txt"
run "mallocscope replay --format offsets" java -jar "$root/cli/target/mallocscope-cli.jar" replay "$work/t.rep" --format offsets
if cmp -s "$work/native.txt" "$work/out.txt"; then echo "  (output identical to the native harness)"; else echo "  (OUTPUT DIFFERS from the native harness)"; fi
run "samples replay, no agent" java -jar "$root/sample-programs/target/mallocscope-samples.jar" replay "$work/t.rep"
run "samples replay, with the recording agent" java -javaagent:"$root/agent/target/mallocscope-agent.jar=out=$work/t.timeline" \
    -jar "$root/sample-programs/target/mallocscope-samples.jar" replay "$work/t.rep"
echo "timeline: $(wc -c < "$work/t.timeline") bytes"
