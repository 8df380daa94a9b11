#!/bin/bash
# TAP: differential test of libocispec against the OCI runtime-spec JSON
# schema, thousands of seeded mutations of valid documents judged by hako
# (oci-validate) and by python3-jsonschema; see differential.py.
#   HAKO_DIFFERENTIAL_SEED=N  another seed (the default is fixed, so runs repeat)
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
exec "$python" "$here/differential.py" --spec-dir "$SPEC_DIR" --oci-validate "$validate" \
  --srcdir "${HAKO_SRCDIR:-$here/../..}" ${HAKO_DIFFERENTIAL_SEED:+--seed "$HAKO_DIFFERENTIAL_SEED"}
