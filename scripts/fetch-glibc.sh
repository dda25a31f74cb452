#!/usr/bin/env bash
# fetch-glibc.sh [--quiet] [--cached-only] VERSION...
# fetch-glibc.sh [--quiet] [--cached-only] --libdir VERSION
#
# Fetches Debian's build of a glibc version (the libc6 package only) and unpacks it into a cache,
# so the replay harness can run on it through that version's own loader:
#
#   LIBDIR/ld-linux-x86-64.so.2 --library-path LIBDIR ./replay TRACE
#
#   VERSION   2.31  Debian 11 bullseye  libc6 2.31-13+deb11u11
#             2.41  Debian 13 trixie    libc6 2.41-12+deb13u5
#             2.43  Debian sid          libc6 2.43-7
#             (if the suite no longer serves that exact version, the version it serves is used and
#             reported; the version actually unpacked is in CACHE/VERSION/PACKAGE)
#   --libdir  prints the absolute library directory of VERSION (fetching it first if needed) as the
#             last line of standard output; that is what the Java NativeHarness reads.
#   --quiet   no progress messages.
#   --cached-only  never touch the network: a version that is not in the cache is "unavailable".
#
# Cache: $MALLOCSCOPE_GLIBC_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/mallocscope/glibc.
#   CACHE/apt/SUITE/    a private apt configuration per suite (sources.list, lists, cache); apt-get
#                       runs with -o Dir::Etc::sourcelist=... -o Dir::State::Lists=... etc., so nothing
#                       is installed or changed system-wide and root is not needed. The lists are
#                       deleted after a successful run; update.log stays for diagnosis.
#   CACHE/VERSION/      the unpacked package (dpkg -x), plus LIBDIR (relative path of the library
#                       directory inside it) and PACKAGE ("libc6 2.31-13+deb11u11"). A version whose
#                       directory is complete is not fetched again.
# Mirror: the Debian mirror this machine's apt uses (the first ".../debian" URI of the sources apt
#   reads: Dir::Etc::sourcelist and Dir::Etc::sourceparts, as apt-config reports them, so APT_CONFIG
#   is honoured); override by setting MALLOCSCOPE_DEBIAN_MIRROR to a mirror URL ending in /debian. When neither names one,
#   the script stops with one line ("fetch-glibc: unavailable: no Debian mirror …", status 3): no
#   host is built in.
# Network steps are bounded (MALLOCSCOPE_FETCH_TIMEOUT seconds per apt-get call, default 100).
#
# Exit status: 0 ok; 2 usage (unknown version, bad option); 3 unavailable (no apt-get/dpkg-deb, the
# Debian keyring or the network is missing, the suite does not serve libc6; one line on stderr
# starting "fetch-glibc: unavailable:"); 1 any other failure.
set -euo pipefail

QUIET=0
LIBDIR_MODE=0
CACHED_ONLY=0
VERSIONS=()
for arg in "$@"; do
  case "$arg" in
    --quiet) QUIET=1 ;;
    --libdir) LIBDIR_MODE=1 ;;
    --cached-only) CACHED_ONLY=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fetch-glibc: unknown option '$arg' (see --help)" >&2; exit 2 ;;
    *) VERSIONS+=("$arg") ;;
  esac
done
(( ${#VERSIONS[@]} > 0 )) || { echo "fetch-glibc: usage: fetch-glibc.sh [--quiet] [--cached-only] VERSION... | --libdir VERSION (VERSION: 2.31 2.41 2.43)" >&2; exit 2; }
if (( LIBDIR_MODE )) && (( ${#VERSIONS[@]} != 1 )); then
  echo "fetch-glibc: --libdir takes exactly one VERSION" >&2; exit 2
fi

CACHE="${MALLOCSCOPE_GLIBC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mallocscope/glibc}"
TIMEOUT="${MALLOCSCOPE_FETCH_TIMEOUT:-100}"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

say() { (( QUIET )) || echo "fetch-glibc: $*" >&2; }
unavailable() { echo "fetch-glibc: unavailable: $*" >&2; exit 3; }
die() { echo "fetch-glibc: $*" >&2; exit 1; }

# version -> "suite wanted-package-version"
suite_of() {
  case "$1" in
    2.31) echo "bullseye 2.31-13+deb11u11" ;;
    2.41) echo "trixie 2.41-12+deb13u5" ;;
    2.43) echo "sid 2.43-7" ;;
    *) return 1 ;;
  esac
}

for v in "${VERSIONS[@]}"; do
  suite_of "$v" >/dev/null || { echo "fetch-glibc: unknown glibc version '$v' (supported: 2.31 2.41 2.43)" >&2; exit 2; }
done

# The Debian mirror of this machine's apt configuration: the first ".../debian" URI in the one-line
# ("deb URI SUITE …") or deb822 ("URIs: URI …") sources apt reads. Empty when there is none.
apt_mirror() {
  local SL="" SP="" f uri
  eval "$(apt-config shell SL Dir::Etc::sourcelist/f SP Dir::Etc::sourceparts/d 2>/dev/null)" || true
  for f in "$SL" "${SP%/}"/*.list "${SP%/}"/*.sources; do
    [[ -n "$f" && -f "$f" ]] || continue
    uri="$(sed -e 's/#.*//' "$f" \
      | awk '$1 ~ /^deb(-src)?$/ { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/ && $i !~ /=/) { print $i; break } }
             tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' \
      | grep -E '^(https?|file)://[^[:space:]]+/debian/?$' | head -n1 || true)"
    if [[ -n "$uri" ]]; then echo "${uri%/}"; return; fi
  done
}

MIRROR=""
mirror() {
  if [[ -z "$MIRROR" ]]; then
    if [[ -n "${MALLOCSCOPE_DEBIAN_MIRROR:-}" ]]; then
      MIRROR="${MALLOCSCOPE_DEBIAN_MIRROR%/}"
    else
      MIRROR="$(apt_mirror)"
    fi
  fi
  echo "$MIRROR"
}

# The most telling line of an apt log: the first "E:" line, else the first "W:"/"Err:" line.
first_error() {
  { grep -E '^E:' "$1" || grep -E '^(W|Err):' "$1" || true; } | head -n1 | tr -s ' ' | cut -c1-240
}

# Loads the private apt configuration of SUITE into the APT array; runs "apt-get update" once per
# script run and suite (the lists are refreshed when a version has to be fetched, never otherwise).
declare -A UPDATED=()
APT=()
apt_for() { # SUITE
  local suite="$1" dir="$CACHE/apt/$1"
  [[ -n "$(mirror)" ]] || unavailable "no Debian mirror: this machine's apt sources name no .../debian URI; set MALLOCSCOPE_DEBIAN_MIRROR to a mirror URL ending in /debian"
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/etc/preferences.d"
  echo "deb [signed-by=$KEYRING] $(mirror) $suite main" > "$dir/etc/sources.list"
  : > "$dir/status"
  APT=(-o "Dir::Etc::sourcelist=$dir/etc/sources.list" -o "Dir::Etc::sourceparts=-"
       -o "Dir::Etc::preferences=$dir/etc/preferences" -o "Dir::Etc::preferencesparts=$dir/etc/preferences.d"
       -o "Dir::State::Lists=$dir/lists" -o "Dir::State::status=$dir/status" -o "Dir::Cache=$dir/cache"
       -o "APT::Architecture=amd64" -o "APT::Architectures=amd64" -o "Acquire::Languages=none"
       -o "Acquire::http::Timeout=20" -o "Acquire::Retries=1" -o "Debug::NoLocking=1")
  if [[ "$(id -u)" == 0 ]]; then
    APT+=(-o "APT::Sandbox::User=root") # the cache belongs to root; don't drop to _apt
  fi
  if [[ -z "${UPDATED[$suite]:-}" ]]; then
    say "apt-get update ($suite from $(mirror))"
    local log="$dir/update.log"
    if ! timeout "$TIMEOUT" apt-get -q "${APT[@]}" --error-on=any update > "$log" 2>&1; then
      local why
      why="$(first_error "$log")"
      unavailable "apt-get update for Debian $suite failed (no network or mirror?): ${why:-timed out after ${TIMEOUT}s or failed, see $log}"
    fi
    UPDATED[$suite]=1
  fi
}

fetch_one() { # VERSION
  local version="$1" suite wanted dest
  read -r suite wanted < <(suite_of "$version")
  dest="$CACHE/$version"
  if [[ -f "$dest/LIBDIR" && -f "$dest/PACKAGE" ]]; then
    say "glibc $version: cached ($(cat "$dest/PACKAGE")) in $dest"
    return 0
  fi
  (( CACHED_ONLY == 0 )) || unavailable "glibc $version is not in the cache $CACHE and --cached-only forbids fetching it"
  apt_for "$suite"
  local served chosen
  served="$(apt-cache "${APT[@]}" madison libc6 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}')"
  [[ -n "$served" ]] || unavailable "Debian $suite serves no libc6 package (apt-cache madison libc6 is empty)"
  if grep -qxF "$wanted" <<< "$served"; then
    chosen="$wanted"
  else
    chosen="$(head -n1 <<< "$served")"
    echo "fetch-glibc: NOTE: Debian $suite no longer serves libc6 $wanted; using libc6 $chosen instead" >&2
  fi
  local work="$CACHE/.work-$version-$$"
  WORK="$work"
  rm -rf "$work"
  mkdir -p "$work/debs" "$work/root"
  say "glibc $version: apt-get download libc6=$chosen"
  if ! (cd "$work/debs" && timeout "$TIMEOUT" apt-get -q "${APT[@]}" download "libc6=$chosen") > "$work/download.log" 2>&1; then
    local why
    why="$(first_error "$work/download.log")"
    rm -rf "$work"
    unavailable "apt-get download libc6=$chosen from Debian $suite failed: ${why:-timed out after ${TIMEOUT}s}"
  fi
  local deb
  deb="$(ls "$work/debs"/libc6_*.deb 2>/dev/null | head -n1)"
  [[ -n "$deb" ]] || { rm -rf "$work"; die "apt-get download reported success but left no libc6_*.deb in $work/debs"; }
  dpkg-deb -x "$deb" "$work/root" || { rm -rf "$work"; die "dpkg-deb -x $deb failed"; }
  local libc rel
  libc="$(cd "$work/root" && find . -name libc.so.6 \( -type f -o -type l \) | sort | head -n1)"
  [[ -n "$libc" ]] || { rm -rf "$work"; die "libc6 $chosen holds no libc.so.6"; }
  rel="$(dirname "${libc#./}")"
  [[ -e "$work/root/$rel/ld-linux-x86-64.so.2" ]] || { rm -rf "$work"; die "libc6 $chosen has no ld-linux-x86-64.so.2 beside $rel/libc.so.6"; }
  echo "$rel" > "$work/root/LIBDIR"
  echo "libc6 $chosen (Debian $suite, $(basename "$deb"))" > "$work/root/PACKAGE"
  rm -rf "$dest"
  mv "$work/root" "$dest"
  rm -rf "$work"
  say "glibc $version: unpacked libc6 $chosen into $dest/$rel"
}

command -v apt-get >/dev/null 2>&1 || unavailable "apt-get not found (a Debian-based machine is needed to fetch Debian's glibc)"
command -v apt-cache >/dev/null 2>&1 || unavailable "apt-cache not found"
command -v dpkg-deb >/dev/null 2>&1 || unavailable "dpkg-deb not found"
command -v timeout >/dev/null 2>&1 || unavailable "timeout (coreutils) not found"
[[ -r "$KEYRING" ]] || unavailable "Debian archive keyring $KEYRING not found (package debian-archive-keyring)"
[[ "$(uname -m)" == x86_64 ]] || unavailable "not an x86_64 machine ($(uname -m))"

mkdir -p "$CACHE" || die "cannot create cache directory $CACHE"
WORK=""
trap '[[ -z "$WORK" ]] || rm -rf "$WORK"' EXIT
# One fetcher at a time per cache (parallel test forks, two shells).
if command -v flock >/dev/null 2>&1; then
  exec 9> "$CACHE/.lock"
  flock -w "$((TIMEOUT * 3))" 9 || unavailable "timed out waiting for the lock on $CACHE/.lock"
fi

for v in "${VERSIONS[@]}"; do
  fetch_one "$v"
done
# The package lists (about 20 MB a suite) are only needed while fetching.
rm -rf "$CACHE"/apt/*/lists "$CACHE"/apt/*/cache

if (( LIBDIR_MODE )); then
  echo "$CACHE/${VERSIONS[0]}/$(cat "$CACHE/${VERSIONS[0]}/LIBDIR")"
fi
