#!/bin/sh
# Write a libFuzzer dictionary for config.json to stdout: every property name
# declared in types.def and every enum value in types.c, so the fuzzer can
# reach deep fields without guessing their spelling byte by byte.
# Usage: make-dict.sh LIBOCISPEC_DIR
set -eu
dir=${1:?usage: make-dict.sh LIBOCISPEC_DIR}

# Property names: the third argument of each OCI_<KIND> (type, member, "json", ...).
names=$(sed -n 's/^[[:space:]]*OCI_[A-Z]*[[:space:]]*([^,]*,[^,]*,[[:space:]]*"\([^"]*\)".*/\1/p' \
  "$dir/types.def")
# Enum values: the quoted strings of each ENUM (...) in types.c (they may wrap lines).
enums=$(awk '/^ENUM \(/ { on = 1 } on { print } /\);/ { on = 0 }' "$dir/types.c" |
  grep -o '"[^"]*"' | tr -d '"')

{
  for n in $names; do
    printf '"\\"%s\\":"\n' "$n"
  done
  for e in $enums; do
    printf '"\\"%s\\""\n' "$e"
  done
} | sort -u

# JSON structure and the boundary numbers the parser must get exactly right.
cat <<'TOKENS'
tok_true="true"
tok_false="false"
tok_null="null"
tok_empty_obj="{}"
tok_empty_arr="[]"
tok_obj_open="{\""
tok_sep="\":"
num_u64_max="18446744073709551615"
num_u64_over="18446744073709551616"
num_i64_min="-9223372036854775808"
num_i64_under="-9223372036854775809"
num_u32_over="4294967296"
num_exp="1e3"
num_frac="1.5"
str_nul="\"\\u0000\""
str_surrogate="\"\\ud800\""
TOKENS
