#!/bin/bash
# What the CVE-2019-5736 protection (src/libhako/selfexe.c) costs.
#
#   contrib/bench/exe-protection.sh [-n N] [HAKO_BINARY]      # as root
#
# `create`, `run` and `exec` re-exec hako from a read-only bind mount of its
# binary (or a sealed memfd copy where it may not mount) unless the binary
# is on a read-only mount already.  So one and the same binary is timed
#   exposed:  as built, on a writable file system: it re-execs once;
#   ro-mount: bind-mounted read-only first (in a private mount namespace):
#             already protected, no re-exec: what hako costs without it.
# Rows, N runs each (default 30), interleaved round-robin:
#   run-*       `hako run` of /bin/true (the container start, end to end);
#   help-*      `hako create --help`: the re-exec alone, no container;
#   memfd-*     the same without CAP_SYS_ADMIN in the bounding set (setpriv),
#               where hako falls back to the sealed memfd copy.
# Prints median, p90 and peak RSS per row, then the medians' differences.
# Uses measure.c (see README.md); never fails on a slow number.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/../.." && pwd)

# Inside the private mount namespace: protect one copy, run the loop.
if [ "${1:-}" = --inner ]; then
  workdir=$2 n=$3
  mount --bind "$workdir/ro/hako" "$workdir/ro/hako"
  mount -o remount,bind,ro "$workdir/ro/hako"
  rows=(run-exposed run-ro help-exposed help-ro memfd-exposed memfd-ro)
  command_of() {
    local which=${1#*-} i=$2
    case $1 in
      run-*) echo "$workdir/$which/hako --root $workdir/root run -b $workdir/bundle c-$1-$i" ;;
      help-*) echo "$workdir/$which/hako create --help" ;;
      memfd-*) echo "$(command -v setpriv) --bounding-set -sys_admin $workdir/$which/hako create --help" ;;
    esac
  }
  for ((i = -1; i < n; i++)); do
    for ((k = 0; k < ${#rows[@]}; k++)); do
      row=${rows[(i + 1 + k) % ${#rows[@]}]}
      set=sample
      [ "$i" -ge 0 ] || set=warmup
      read -r -a argv <<< "$(command_of "$row" "$i")"
      "$workdir/measure" "$workdir/$set.$row" "${argv[@]}" > /dev/null 2> "$workdir/last.err" \
        || { echo "exe-protection: $row failed: $(cat "$workdir/last.err")" >&2; exit 1; }
    done
  done
  exit 0
fi

n=30
while getopts n: opt; do
  case $opt in
    n) n=$OPTARG ;;
    *) sed -n '4s/^# //p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
hako=$(realpath "${1:-${HAKO:-./hako}}")
[ "$(id -u)" -eq 0 ] || { echo "exe-protection: needs root" >&2; exit 2; }
for tool in jq unshare setpriv "${CC:-cc}"; do
  command -v "$tool" > /dev/null || { echo "exe-protection: needs $tool" >&2; exit 2; }
done

workdir=$(mktemp -d /tmp/hako-exe-bench.XXXXXX)
trap 'rm -rf "$workdir"' EXIT
mkdir -p "$workdir/exposed" "$workdir/ro" "$workdir/root"
cp "$hako" "$workdir/exposed/hako"
cp "$hako" "$workdir/ro/hako"
bash "$srcdir/tests/lib/make-rootfs.sh" "$workdir/bundle/rootfs"
"$hako" spec --bundle "$workdir/bundle"
jq '.process.terminal = false | .process.args = ["/bin/true"]' "$workdir/bundle/config.json" \
  > "$workdir/config.json" && mv "$workdir/config.json" "$workdir/bundle/config.json"
${CC:-cc} -std=gnu17 -O2 -o "$workdir/measure" "$here/measure.c"

echo "exe-protection: $n runs per row, interleaved; $hako ($(stat -c %s "$hako") bytes)" >&2
unshare -m --propagation private "$BASH" "$0" --inner "$workdir" "$n"

# Nearest-rank percentiles of WALL_US; RSS: the maximum.
for row in run-exposed run-ro help-exposed help-ro memfd-exposed memfd-ro; do
  sort -n -k1,1 "$workdir/sample.$row" | awk -v row="$row" '
    { w[NR] = $1 / 1000; if ($2 > rss) rss = $2 }
    END { med = (NR % 2) ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
          printf "%-14s %8.2f %8.2f %9d %4d\n", row, med, w[int(NR * 0.9 + 0.999999)], rss, NR }'
done > "$workdir/summary"
printf '%-14s %8s %8s %9s %4s\n' row "med ms" "p90 ms" "maxRSS KB" runs
cat "$workdir/summary"
awk '{ m[$1] = $2; r[$1] = $4 }
  END {
    printf "protection per container start (run):   %+.2f ms median, %+d KB peak RSS\n",
      m["run-exposed"] - m["run-ro"], r["run-exposed"] - r["run-ro"]
    printf "re-exec from the read-only bind mount:  %+.2f ms (create --help)\n",
      m["help-exposed"] - m["help-ro"]
    printf "re-exec from a sealed memfd copy:       %+.2f ms, %+d KB (create --help, no CAP_SYS_ADMIN)\n",
      m["memfd-exposed"] - m["memfd-ro"], r["memfd-exposed"] - r["memfd-ro"]
  }' "$workdir/summary"
