#!/bin/bash
# Replay the fuzz regression corpus and the spec's example configs through the
# fuzz target's checks (parse; if accepted, serialize -> parse -> equal).
set -u
seeds=()
for d in "$HAKO_SRCDIR/tests/fuzz/regressions" \
  "$SPEC_DIR/schema/test/config/good" "$SPEC_DIR/schema/test/config/bad"; do
  if [ -d "$d" ]; then seeds+=("$d"); else echo "# missing $d"; fi
done
exec "$HAKO_BUILDDIR/tests/fuzz/replay" "${seeds[@]}"
