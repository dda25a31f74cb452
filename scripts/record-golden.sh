#!/usr/bin/env bash
# record-golden.sh [--threads] [VERSION|all]
#
# Re-records the golden outputs runtime/src/test/resources/golden/VERSION/NAME.out
# by replaying every runtime/src/test/resources/traces/NAME.rep on the real glibc
# with the C harness runtime/src/test/c/replay.c.
#
#   --threads  the threaded corpus instead: traces-threads/NAME.rep replayed by the
#             harness built with -DTHREADS (real threads taking turns, see replay.c)
#             into golden-threads/VERSION/NAME.out. Every such trace must carry a line
#             "# GLIBC_TUNABLES=..." naming glibc.malloc.arena_max (otherwise the arena
#             limit is 8 x this machine's CPUs); it is run three times, not twice.
#
#   VERSION   glibc version to record (default 2.36):
#             2.36  the system glibc (the Debian 12 build machine); refused elsewhere.
#             2.31, 2.41, 2.43  Debian's libc6 of that version, fetched and unpacked by
#                   scripts/fetch-glibc.sh into its cache (no root, nothing installed), and
#                   run through that version's own loader:
#                     env -i [GLIBC_TUNABLES=..] LIBDIR/ld-linux-x86-64.so.2 --library-path LIBDIR ./replay TRACE
#   all       2.36, 2.31, 2.41 and 2.43 in turn.
#
# Harness builds (same source, compiled here with the system gcc and headers):
#   2.36, 2.41, 2.43  gcc -O1
#   2.31              gcc -O1 -DCOMPAT_START -nostartfiles -DOLD_MALLINFO
#                     (binds __libc_start_main@GLIBC_2.2.5 instead of @GLIBC_2.34, and prints
#                     mallinfo() since mallinfo2 is 2.33+)
#
# Each trace runs in an empty environment (env -i). A trace that needs tunables
# carries a comment line "# tunables: glibc.malloc.X=V:glibc.malloc.Y=W"; that
# value is passed as GLIBC_TUNABLES. Every trace is replayed twice and the two
# outputs must agree (guards against kernel/ASLR-dependent output). Golden files
# whose trace no longer exists are removed. GOLDEN/VERSION/LIBRARY records which
# library build the files come from (the Java tests skip when another build is
# found). Nothing is committed. Exit status 3: the library could not be fetched
# (no apt or network; see scripts/fetch-glibc.sh), 1: any other failure.
#
# Note (versions sheet §1.1): on 2.26..2.34 GLIBC_TUNABLES itself moves the
# initial break; the harness measures from the break at main, which is what the
# simulator must model.
set -euo pipefail

THREADS=0
if [[ "${1:-}" == --threads ]]; then
  THREADS=1
  shift
fi
VERSION="${1:-2.36}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
SRC="$ROOT/runtime/src/test/c/replay.c"
if (( THREADS )); then
  TRACE_DIR="$ROOT/runtime/src/test/resources/traces-threads"
  GOLDEN_DIR="$ROOT/runtime/src/test/resources/golden-threads/$VERSION"
  RUNS=3
else
  TRACE_DIR="$ROOT/runtime/src/test/resources/traces"
  GOLDEN_DIR="$ROOT/runtime/src/test/resources/golden/$VERSION"
  RUNS=2
fi

die() { echo "record-golden: $*" >&2; exit 1; }

if [[ "$VERSION" == all ]]; then
  for v in 2.36 2.31 2.41 2.43; do
    "$SCRIPT_DIR/record-golden.sh" $( (( THREADS )) && echo --threads) "$v" || die "recording glibc $v failed; versions after it were not recorded"
  done
  exit 0
fi

command -v gcc >/dev/null 2>&1 || die "gcc not found"
[[ -f "$SRC" ]] || die "harness source not found: $SRC"
[[ -d "$TRACE_DIR" ]] || die "trace directory not found: $TRACE_DIR"

HARNESS_CFLAGS=(-O1)
RUNNER=()

case "$VERSION" in
  2.36)
    sys_version="$(getconf GNU_LIBC_VERSION 2>/dev/null || true)"   # "glibc 2.36"
    sys_version="${sys_version#glibc }"
    if [[ -z "$sys_version" ]]; then
      sys_version="$(ldd --version 2>/dev/null | head -n1 | awk '{print $NF}')"
    fi
    [[ "$sys_version" == "2.36" ]] ||
      die "refusing to record 2.36 golden files: the system glibc is '${sys_version:-unknown}', not 2.36 (ldd --version: $(ldd --version 2>&1 | head -n1))"
    LIBRARY="libc6 $(dpkg-query -W -f='${Version}' libc6 2>/dev/null || echo '?') (the system glibc)"
    ;;
  2.31|2.41|2.43)
    set +e
    LIBDIR="$("$SCRIPT_DIR/fetch-glibc.sh" --libdir "$VERSION" | tail -n1)"
    status=$?
    set -e
    if (( status == 3 )); then
      echo "record-golden: glibc $VERSION is unavailable here (see the fetch-glibc message above); nothing recorded" >&2
      exit 3
    fi
    (( status == 0 )) || die "cannot fetch glibc $VERSION (scripts/fetch-glibc.sh exited $status; see its message above)"
    [[ -x "$LIBDIR/ld-linux-x86-64.so.2" ]] || die "no loader in $LIBDIR"
    RUNNER=("$LIBDIR/ld-linux-x86-64.so.2" --library-path "$LIBDIR")
    # The library must say it is the version we record.
    banner="$(env -i "${RUNNER[@]}" "$LIBDIR/libc.so.6" 2>&1 | head -n1)"
    [[ "$banner" == *"release version $VERSION."* ]] ||
      die "the library in $LIBDIR is not glibc $VERSION: $banner"
    pkgdir="$LIBDIR"   # fetch-glibc.sh writes PACKAGE at the top of the unpacked tree
    while [[ "$pkgdir" != / && ! -f "$pkgdir/PACKAGE" ]]; do pkgdir="$(dirname "$pkgdir")"; done
    [[ -f "$pkgdir/PACKAGE" ]] || die "no PACKAGE file above $LIBDIR (re-fetch with scripts/fetch-glibc.sh)"
    LIBRARY="$(cat "$pkgdir/PACKAGE")"
    if [[ "$VERSION" == 2.31 ]]; then
      HARNESS_CFLAGS=(-O1 -DCOMPAT_START -nostartfiles -DOLD_MALLINFO)
    fi
    ;;
  *)
    die "unknown glibc version '$VERSION' (supported: 2.36 2.31 2.41 2.43 all)"
    ;;
esac
LIBRARY="${LIBRARY%% (*}" # "libc6 2.31-13+deb11u11"
if (( THREADS )); then
  HARNESS_CFLAGS+=(-DTHREADS -pthread)
  if [[ "$VERSION" == 2.31 ]]; then
    HARNESS_CFLAGS+=(-Wl,--no-as-needed -l:libpthread.so.0) # pthread_* live in libpthread before 2.34
  fi
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

gcc -o "$TMP/replay" "$SRC" "${HARNESS_CFLAGS[@]}"

mkdir -p "$TMP/out"
shopt -s nullglob
traces=("$TRACE_DIR"/*.rep)
(( ${#traces[@]} > 0 )) || die "no traces in $TRACE_DIR"

run_trace() { # TRACE TUNABLES OUTFILE
  if [[ -n "$2" ]]; then
    env -i "GLIBC_TUNABLES=$2" "${RUNNER[@]}" "$TMP/replay" "$1" > "$3"
  else
    env -i "${RUNNER[@]}" "$TMP/replay" "$1" > "$3"
  fi
}

failed=0
for trace in "${traces[@]}"; do
  name="$(basename "$trace" .rep)"
  if (( THREADS )); then
    tunables="$(sed -n 's/^[[:space:]]*#[[:space:]]*GLIBC_TUNABLES=//p' "$trace" | head -n1 | tr -d '[:space:]')"
    [[ "$tunables" == *glibc.malloc.arena_max=* ]] ||
      die "$name: a threaded trace needs a line '# GLIBC_TUNABLES=...glibc.malloc.arena_max=N...'"
  else
    tunables="$(sed -n 's/^[[:space:]]*# tunables:[[:space:]]*//p' "$trace" | head -n1 | tr -d '[:space:]')"
  fi
  if ! run_trace "$trace" "$tunables" "$TMP/out/$name.out"; then
    echo "record-golden: FAILED: $name" >&2
    failed=1
    continue
  fi
  for (( run = 2; run <= RUNS; run++ )); do
    run_trace "$trace" "$tunables" "$TMP/again.out" || { echo "record-golden: FAILED (run $run): $name" >&2; failed=1; break; }
    if ! cmp -s "$TMP/out/$name.out" "$TMP/again.out"; then
      echo "record-golden: NONDETERMINISTIC output: $name (run $run)" >&2
      diff "$TMP/out/$name.out" "$TMP/again.out" | head -n 5 >&2 || true
      failed=1
      break
    fi
  done
done
(( failed == 0 )) || die "some traces failed; golden files left untouched"

mkdir -p "$GOLDEN_DIR"
for old in "$GOLDEN_DIR"/*.out; do
  [[ -f "$TRACE_DIR/$(basename "$old" .out).rep" ]] || { echo "removing stale $(basename "$old")"; rm -f "$old"; }
done
changed=0
for out in "$TMP/out"/*.out; do
  dest="$GOLDEN_DIR/$(basename "$out")"
  if ! cmp -s "$out" "$dest" 2>/dev/null; then
    cp "$out" "$dest"
    changed=$((changed + 1))
  fi
done
echo "$LIBRARY" > "$GOLDEN_DIR/LIBRARY"
echo "record-golden: glibc $VERSION ($LIBRARY): ${#traces[@]} traces replayed, $changed golden file(s) written to ${GOLDEN_DIR#"$ROOT"/}"
