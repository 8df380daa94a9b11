#!/bin/bash
# TAP: every example document of the runtime-spec (schema/test/{config,
# state,features}/{good,bad}/) gets the same verdict from hako
# (oci-validate) as from the schema (python3-jsonschema, draft-04, refs
# resolved from the schema directory; invalid JSON is invalid), and the
# verdict is the one its directory names: good/ valid, bad/ invalid.
# The schema's verdict is computed here, from the schema, not written down.
set -u
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON3:-/usr/bin/python3}
validate=${HAKO_BUILDDIR:-.}/tests/oci-validate

if ! "$python" -c 'import jsonschema' 2>/dev/null; then
  echo "1..0 # SKIP $python cannot import jsonschema (install python3-jsonschema)"
  exit 0
fi
if [ ! -d "${SPEC_DIR:-}/schema/test" ]; then
  echo "1..0 # SKIP no runtime-spec schema under SPEC_DIR='${SPEC_DIR:-}'"
  exit 0
fi

n=0
tap() { # tap OK|FAIL DESCRIPTION [DIAG...]
  local status=$1 what=$2
  shift 2
  n=$((n + 1))
  if [ "$status" = OK ]; then
    echo "ok $n - $what"
  else
    echo "not ok $n - $what"
    local line
    for line in "$@"; do echo "# $line"; done
  fi
}

# verdict LINE FILE: "valid" or "invalid" if LINE is that tool's line for FILE.
verdict() {
  case $1 in
    "valid $2") echo valid ;;
    "invalid $2: "*) echo invalid ;;
    *) echo "unreadable" ;;
  esac
}

for kind in config state features; do
  files=()
  for dir in good bad; do
    found=("$SPEC_DIR/schema/test/$kind/$dir"/*.json)
    if [ ! -e "${found[0]}" ]; then
      tap FAIL "$kind/$dir/ holds example documents"
      continue
    fi
    files+=("${found[@]}")
  done
  [ ${#files[@]} -gt 0 ] || continue
  mapfile -t schema_lines < <("$python" "$here/schemaref.py" "$SPEC_DIR/schema" "$kind" "${files[@]}")
  mapfile -t hako_lines < <("$validate" --type "$kind" "${files[@]}")
  for i in "${!files[@]}"; do
    f=${files[$i]}
    rel=${f#"$SPEC_DIR/schema/test/"}
    s=$(verdict "${schema_lines[$i]:-}" "$f")
    h=$(verdict "${hako_lines[$i]:-}" "$f")
    case $rel in */good/*) want=valid ;; *) want=invalid ;; esac
    if [ "$s" = "$want" ] && [ "$h" = "$want" ]; then
      tap OK "$rel: $want per the schema and per hako, as its directory says"
    else
      tap FAIL "$rel: the schema says $s, hako says $h, its directory says $want" \
        "schema: ${schema_lines[$i]:-}" "hako:   ${hako_lines[$i]:-}"
    fi
  done
done
echo "1..$n"
