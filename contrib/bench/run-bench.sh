#!/bin/bash
# Startup benchmark: `run` of /bin/true, hako vs crun vs runc.
#
#   contrib/bench/run-bench.sh [-n N] [HAKO_BINARY]
#
# N sequential runs (default 100) per runtime of one bundle: the default
# `hako spec` config with terminal=false and args ["/bin/true"], over a
# busybox rootfs.  The runtimes are interleaved round-robin, so machine noise
# falls on all of them alike.  Two floors are timed the same way: a bare
# exec of /bin/true, and bare.c (namespaces + pivot_root + exec, no runtime).
# Prints median, p90 and mean wall ms and the peak RSS per runtime.
# HAKO_BINARY defaults to $HAKO, else ./hako (a build dir), else hako in PATH.
# Needs root.  See contrib/bench/README.md for the method and its caveats.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$here/../.." && pwd)

usage() {
  sed -n '4,5s/^# \{0,1\}//p' "$0" >&2
  exit "${1:-2}"
}

# ---------------------------------------------------------------------------
# Inside the private mount namespace: the timed loop.  Called as
#   run-bench.sh --inner WORKDIR N NAME=COMMAND...
# and appends "WALL_US MAXRSS_KB STATUS" lines to WORKDIR/sample.NAME.

# crun refuses the hybrid cgroup layout (v1 controllers plus a cgroup2 at
# /sys/fs/cgroup/unified).  A scratch tmpfs over the cgroup2 mount, in this
# namespace only, hides it from all three runtimes alike.
hide_unified_cgroup() {
  local top unified
  top=$(stat -fc %T /sys/fs/cgroup 2>/dev/null || true)
  unified=$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null || true)
  if [ "$top" != cgroup2fs ] && [ "$unified" = cgroup2fs ]; then
    mount -t tmpfs -o mode=0755 hako-bench /sys/fs/cgroup/unified
    echo "run-bench: hybrid cgroups: tmpfs over /sys/fs/cgroup/unified (private mount ns)" >&2
  fi
}

# One timed run of row NAME for iteration I, recorded in WORKDIR/SET.NAME
# (SET: sample or warmup).  The first failure's stderr is kept in
# WORKDIR/NAME.err; the summary leaves failed runs out of the statistics.
measure_one() {
  local set=$1 name=$2 i=$3 cmd=${commands[$2]}
  local -a argv
  read -r -a argv <<<"$cmd"
  # Container commands (those with a state --root) end in the container id.
  case " $cmd " in
    *" --root "*) argv+=("bench-$$-$name-$i") ;;
  esac
  if ! "$workdir/measure" "$workdir/$set.$name" "${argv[@]}" \
    >/dev/null 2>"$workdir/$name.last-err"; then
    [ -e "$workdir/$name.err" ] || {
      echo "run $i: ${argv[*]}"
      cat "$workdir/$name.last-err"
    } >"$workdir/$name.err"
    return 1
  fi
}

# A failed run can leave container processes behind (e.g. an init blocked on
# its exec fifo after the runtime gave up).  Anything still holding a file
# under WORKDIR was started here: kill it, by pid, and say whose it was.
# shellcheck disable=SC2317  # run from the EXIT trap
kill_strays() {
  local p links who
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    if [ "$p" = $$ ] || [ "$p" = "$BASHPID" ]; then continue; fi
    links=$(find "/proc/$p/fd" -lname "$workdir/*" -printf '%l\n' 2>/dev/null || true)
    [ -n "$links" ] || continue
    who=$(grep -o -E 'root-[a-z-]+|[a-z-]+\.last-err' <<<"$links" | head -1)
    echo "run-bench: killing stray pid $p ($who): $(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null)" >&2
    kill -KILL "$p" 2>/dev/null || true
  done
}

# Delete what a failed run may have left, while the cgroup view is the same.
# shellcheck disable=SC2317  # run from the EXIT trap
delete_leftovers() {
  local name id k root
  for name in "${!commands[@]}"; do
    local -a argv
    read -r -a argv <<<"${commands[$name]}"
    root=
    for ((k = 1; k < ${#argv[@]} - 1; k++)); do
      [ "${argv[k]}" != --root ] || root=${argv[k + 1]}
    done
    [ -n "$root" ] || continue
    # Through a file, not $(...): a stray holding a pipe would block here.
    "${argv[0]}" --root "$root" list -q >"$workdir/ids" 2>/dev/null || continue
    while read -r id; do
      "${argv[0]}" --root "$root" delete -f "$id" </dev/null >/dev/null 2>&1 || true
    done <"$workdir/ids"
  done
}

inner_main() {
  workdir=$1 n=$2
  shift 2
  declare -gA commands=() dropped=()
  local -a names=()
  local spec
  for spec in "$@"; do
    names+=("${spec%%=*}")
    commands[${spec%%=*}]=${spec#*=}
  done
  hide_unified_cgroup
  trap 'kill_strays; delete_leftovers' EXIT
  local name i k count=${#names[@]}
  # Untimed warm-up: page cache, and an early, clear failure.  A row that
  # fails it twice in a row is dropped.
  for name in "${names[@]}"; do
    measure_one warmup "$name" warmup || measure_one warmup "$name" warmup2 \
      || dropped[$name]=1
  done
  for ((i = 0; i < n; i++)); do
    # Round-robin, starting one further each iteration, so no runtime
    # always follows the same one (e.g. into its deferred cleanup).
    for ((k = 0; k < count; k++)); do
      name=${names[(i + k) % count]}
      [ -z "${dropped[$name]:-}" ] || continue
      measure_one sample "$name" "$i" || true
    done
  done
}

if [ "${1:-}" = --inner ]; then
  shift
  inner_main "$@"
  exit 0
fi

# ---------------------------------------------------------------------------
# Outside: prepare the bundle and tools, run the loop, print the table.

n=100
while getopts n:h opt; do
  case $opt in
    n) n=$OPTARG ;;
    h) usage 0 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
case $n in '' | *[!0-9]* | 0) echo "run-bench: -n wants a positive count" >&2; exit 2 ;; esac

hako=${1:-${HAKO:-}}
if [ -z "$hako" ]; then
  if [ -x ./hako ]; then hako=./hako; else hako=$(command -v hako || true); fi
fi
if [ -z "$hako" ] || [ ! -x "$hako" ]; then
  echo "run-bench: no hako binary (pass one)" >&2
  exit 2
fi
hako=$(realpath "$hako")
crun=$(command -v crun || echo /usr/bin/crun)
runc=$(command -v runc || echo /usr/sbin/runc)
[ "$(id -u)" -eq 0 ] || { echo "run-bench: needs root" >&2; exit 2; }
read -r -a cc <<<"${CC:-cc}"
for tool in "$crun" "$runc" jq unshare "${cc[0]}"; do
  command -v "$tool" >/dev/null || {
    echo "run-bench: $tool not found (contrib/setup.sh --vm)" >&2
    exit 2
  }
done

workdir=$(mktemp -d /tmp/hako-bench.XXXXXX)
trap 'rm -rf "$workdir"' EXIT
bundle=$workdir/bundle
mkdir -p "$bundle" "$workdir"/root-{hako,crun,crun-nocg,runc}

# One rootfs and one config.json for all three.  crun 1.8 refuses
# ociVersion 1.3.0 ("unknown version specified"), so the version is set to
# 1.0.2, which all three accept; nothing else differs from `hako spec`.
bash "$srcdir/tests/lib/make-rootfs.sh" "$bundle/rootfs"
"$hako" spec --bundle "$bundle"
jq '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = ["/bin/true"]' \
  "$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

for tool in bare measure; do
  "${cc[@]}" -std=gnu17 -O2 -Wall -Wextra -Werror -o "$workdir/$tool" "$here/$tool.c"
done

# Runtime commands: words without spaces (the paths above have none).
specs=(
  "true=/bin/true"
  "bare=$workdir/bare $bundle/rootfs"
  "hako=$hako --root $workdir/root-hako run -b $bundle"
  "crun=$crun --root $workdir/root-crun run -b $bundle"
  "runc=$runc --root $workdir/root-runc run -b $bundle"
  # The same without cgroups: what creating and removing them costs crun.
  "crun-nocg=$crun --root $workdir/root-crun-nocg --cgroup-manager=disabled run -b $bundle"
)

echo "run-bench: $n runs each, interleaved; hako=$hako" >&2
echo "run-bench: $("$crun" --version | head -1); $("$runc" --version | head -1)" >&2
unshare -m --propagation private "$BASH" "$0" --inner "$workdir" "$n" "${specs[@]}"

# ---------------------------------------------------------------------------
# The table.  Percentiles are nearest-rank; RSS is the maximum over all runs.

summarize() {
  local name=$1 file=$workdir/sample.$1 fails=0
  [ -s "$file" ] || { echo "$name - - - - 0 0"; return; }
  fails=$(awk '$3 != 0' "$file" | wc -l)
  awk '$3 == 0' "$file" | sort -n -k1,1 | awk -v name="$name" -v fails="$fails" '
    { wall[NR] = $1 / 1000; sum += $1 / 1000; if ($2 > rss) rss = $2 }
    END {
      med = (NR % 2) ? wall[(NR + 1) / 2] : (wall[NR / 2] + wall[NR / 2 + 1]) / 2
      p90 = wall[int(NR * 0.9 + 0.999999)]
      if (NR == 0) { print name, "- - - - 0", fails; exit }
      printf "%s %.2f %.2f %.2f %d %d %d\n", name, med, p90, sum / NR, rss, NR, fails
    }'
}

{
  for spec in "${specs[@]}"; do summarize "${spec%%=*}"; done
} >"$workdir/summary"

awk '
  { name[NR] = $1; med[NR] = $2; p90[NR] = $3; mean[NR] = $4; rss[NR] = $5; runs[NR] = $6
    fails[NR] = $7
    if ($1 == "hako") { hmed = $2; hrss = $5 } }
  END {
    printf "%-24s %9s %9s %9s %10s %4s %5s %9s %10s\n", "runtime", "median ms", "p90 ms",
      "mean ms", "maxRSS KB", "ok", "fail", "hako/x ms", "hako/x RSS"
    label["true"] = "exec /bin/true (floor)"
    label["bare"] = "bare.c ns+pivot_root"
    label["crun-nocg"] = "crun, no cgroups"
    for (i = 1; i <= NR; i++) {
      l = (name[i] in label) ? label[name[i]] : name[i]
      if (runs[i] == 0) { printf "%-24s %s\n", l, "FAILED: no successful run (error below)"; continue }
      rt = (hmed != "" && hmed != "-" && med[i] > 0) ? sprintf("%.2f", hmed / med[i]) : "-"
      rr = (hrss != "" && hrss != "-" && rss[i] > 0) ? sprintf("%.2f", hrss / rss[i]) : "-"
      printf "%-24s %9s %9s %9s %10s %4d %5d %9s %10s\n", l, med[i], p90[i], mean[i], rss[i],
        runs[i], fails[i], rt, rr
    }
  }' "$workdir/summary"
awk '$1 == "hako" { h = $2; hr = $5 } $1 ~ /^(crun|runc)/ { m[$1] = $2; r[$1] = $5 }
  END { if (h == "-" || h == "") exit
    for (x in m) if (m[x] != "-") printf "hako/%s: time %.2f, RSS %.2f\n", x, h / m[x], hr / r[x] }' \
  "$workdir/summary" | sort
echo "(wall: fork to wait4 of the runtime command; maxRSS: ru_maxrss from wait4, as"
echo " /usr/bin/time %M reports it: the top-level process, or a child it reaped if larger)"

# Any failed run makes the benchmark fail: the table would otherwise hide it.
status=0
for spec in "${specs[@]}"; do
  name=${spec%%=*}
  if [ -s "$workdir/$name.err" ]; then
    echo "run-bench: $name: failed runs (see the fail column); the first:" >&2
    sed 's/^/  /' "$workdir/$name.err" >&2
    status=1
  fi
done
exit $status
