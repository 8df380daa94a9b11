#!/bin/bash
# TAP: every good example document of the runtime-spec and
# tests/schema/full-linux-config.json survive parse -> serialize -> parse
# into an equal struct, and serializing again gives the same bytes
# (oci-validate --roundtrip, compact and pretty).
set -u
here=$(cd "$(dirname "$0")" && pwd)
validate=${HAKO_BUILDDIR:-.}/tests/oci-validate

n=0
check() { # check KIND FILE NAME
  local out
  n=$((n + 1))
  out=$("$validate" --type "$1" --roundtrip "$2" 2>&1)
  if [ "$out" = "valid $2" ]; then
    echo "ok $n - $3 round-trips"
  else
    echo "not ok $n - $3 round-trips"
    echo "# $out"
  fi
}

check config "$here/full-linux-config.json" full-linux-config.json
if [ -d "${SPEC_DIR:-}/schema/test" ]; then
  for kind in config state features; do
    for f in "$SPEC_DIR/schema/test/$kind/good"/*.json; do
      [ -e "$f" ] && check "$kind" "$f" "$kind/good/${f##*/}"
    done
  done
else
  echo "# no runtime-spec examples under SPEC_DIR='${SPEC_DIR:-}': only the full config checked"
fi
echo "1..$n"
