#!/usr/bin/env bats
# The command line: runc's global options and usage errors, spec, features,
# the state store as the commands see it, and the log.

load helpers

bats_require_minimum_version 1.5.0

setup () {
  BUNDLE="$BATS_TEST_TMPDIR/bundle"
  mkdir -p "$BUNDLE"
}

# validate_json DOC SCHEMA: DOC against SCHEMA of the runtime-spec, with
# python3-jsonschema (the reference validator), and with hako's own parser.
validate_json () {
  local doc=$1 schema=$2 type=$3
  "${PYTHON3:-/usr/bin/python3}" - "$doc" "$SPEC_DIR/schema" "$schema" <<'EOF'
import json, os, sys
import jsonschema
doc, schema_dir, name = sys.argv[1:4]
schema = json.load(open(os.path.join(schema_dir, name)))
resolver = jsonschema.RefResolver("file://" + os.path.abspath(schema_dir) + "/", schema)
jsonschema.Draft4Validator(schema, resolver=resolver).validate(json.load(open(doc)))
EOF
  "$HAKO_BUILDDIR/tests/oci-validate" --type "$type" "$doc"
}

@test "cli: --version and -v print version, commit, spec and build features" {
  local flag
  for flag in --version -v -version --version=true; do
    run --separate-stderr "$HAKO" "$flag"
    assert_success
    [ "${#lines[@]}" -eq 4 ]
    [[ ${lines[0]} =~ ^hako\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
    [[ ${lines[1]} =~ ^commit:\ [0-9a-f]{40}$|^commit:\ unknown$ ]]
    [ "${lines[2]}" = "spec: 1.3.0" ]
    [[ ${lines[3]} =~ [+-]SYSTEMD ]] && [[ ${lines[3]} =~ [+-]SECCOMP ]] \
      && [[ ${lines[3]} =~ [+-]SELINUX ]] && [[ ${lines[3]} =~ \+CAP ]]
  done
}

@test "cli: --help, -h, help and no command print the usage on stdout" {
  local args
  for args in --help -h help ""; do
    run --separate-stderr "$HAKO" $args
    assert_success
    assert_output_contains "USAGE:"
    assert_output_contains "GLOBAL OPTIONS:"
    assert_output_contains "--cgroup-manager value"
    [ -z "$stderr" ]
  done
  run --separate-stderr "$HAKO" help state
  assert_success
  assert_output_contains "hako state - print the state of a container"
  run --separate-stderr "$HAKO" delete --help
  assert_success
  assert_output_contains "--force, -f"
}

@test "cli: an unknown global option is a usage error, exit 1" {
  run --separate-stderr "$HAKO" --nosuch list
  [ "$status" -eq 1 ]
  [ -z "$output" ]
  [[ $stderr == "Incorrect Usage. flag provided but not defined: -nosuch"* ]]
  [[ $stderr == *"hako: flag provided but not defined: -nosuch" ]]
  run --separate-stderr "$HAKO" --root
  [ "$status" -eq 1 ]
  [[ $stderr == *"hako: flag needs an argument: -root" ]]
  run --separate-stderr "$HAKO" --debug=maybe list
  [ "$status" -eq 1 ]
  [[ $stderr == *'invalid boolean value "maybe" for -debug: parse error' ]]
}

@test "cli: an unknown command exits 3, as runc does" {
  run --separate-stderr "$HAKO" nosuch
  [ "$status" -eq 3 ]
  [ "$stderr" = "hako: No help topic for 'nosuch'" ]
  run --separate-stderr "$HAKO" help nosuch
  [ "$status" -eq 3 ]
}

@test "cli: command usage errors: unknown option, wrong argument count, bad syntax" {
  run --separate-stderr hako list --nosuch
  [ "$status" -eq 1 ]
  [[ $stderr == "Incorrect Usage: flag provided but not defined: -nosuch"* ]]
  assert_stderr_line 'hako: flag provided but not defined: -nosuch'
  run --separate-stderr hako state
  [ "$status" -eq 1 ]
  [[ $stderr == "Incorrect Usage."* ]]
  [[ $stderr == *'hako: "state" requires exactly 1 argument(s)' ]]
  run --separate-stderr hako kill
  [[ $stderr == *'hako: "kill" requires a minimum of 1 argument(s)' ]]
  run --separate-stderr hako kill a b c
  [[ $stderr == *'hako: "kill" requires a maximum of 2 argument(s)' ]]
  run --separate-stderr hako list -qf json
  [ "$status" -eq 1 ]
  [[ $stderr == *'hako: flag provided but not defined: -qf' ]]
  run --separate-stderr hako list ---q
  [[ $stderr == *'hako: bad flag syntax: ---q' ]]
  run --separate-stderr hako delete --force=yes x
  [ "$status" -eq 1 ]
  [[ $stderr == *'invalid boolean value "yes" for -force: parse error' ]]
}

# assert_stderr_line LINE: LINE is one of the lines of $stderr.
assert_stderr_line () {
  grep -Fqx -- "$1" <<<"$stderr" || { echo "no line '$1' in: $stderr" >&2; return 1; }
}

@test "cli: global options take --opt value, --opt=value and -opt value" {
  local root="$BATS_TEST_TMPDIR/r"
  mkdir -p "$root/c1"
  echo '{"id":"c1","bundle":"/b","pid":0}' > "$root/c1/state.json"
  for form in "--root $root" "--root=$root" "-root $root" "-root=$root"; do
    run --separate-stderr "$HAKO" $form list -q
    assert_success
    [ "$output" = c1 ]
  done
}

@test "cli: global option values are checked" {
  run --separate-stderr hako --log-format=xml list
  [ "$status" -eq 1 ]
  [ "$stderr" = "hako: invalid log-format: xml" ]
  run --separate-stderr hako --cgroup-manager nosuch list
  [ "$status" -eq 1 ]
  run --separate-stderr hako --systemd-cgroup --cgroup-manager=cgroupfs list
  [ "$status" -eq 1 ]
  local v
  for v in true false auto 1 0; do
    run hako --rootless "$v" list
    assert_success
  done
  for v in systemd cgroupfs disabled; do
    run hako --cgroup-manager="$v" list
    assert_success
  done
  run hako --systemd-cgroup --cgroup-manager=systemd --criu /bin/true list
  assert_success
}

@test "cli: command options may follow the id; -- ends them" {
  run --separate-stderr hako delete nosuch --force
  assert_success
  run --separate-stderr hako delete -- nosuch
  [ "$status" -eq 1 ]
  run --separate-stderr hako state -- nosuch
  [ "$stderr" = 'hako: container "nosuch" does not exist' ]
}

@test "cli: commands on a missing container say it does not exist, exit 1" {
  local cmd
  for cmd in state start kill delete exec ps pause resume update events checkpoint; do
    run --separate-stderr hako $cmd nosuch
    [ "$status" -eq 1 ] || { echo "$cmd: status $status"; return 1; }
    [ "$stderr" = 'hako: container "nosuch" does not exist' ] \
      || { echo "$cmd: $stderr"; return 1; }
  done
  run --separate-stderr hako kill nosuch KILL
  [ "$stderr" = 'hako: container "nosuch" does not exist' ]
  # delete --force of what is not there succeeds (runc does the same)
  run hako delete --force nosuch
  assert_success
  # and nothing was left in the store on the way
  [ -z "$(ls -A "$HAKO_ROOT/@locks" 2>/dev/null)" ]
}

@test "cli: an invalid container id is refused" {
  run --separate-stderr hako state ../etc
  [ "$status" -eq 1 ]
  [ "$stderr" = 'hako: invalid container id "../etc"' ]
  run --separate-stderr hako create 'a b'
  [ "$stderr" = 'hako: invalid container id "a b"' ]
  run --separate-stderr hako delete --force ..
  [ "$status" -eq 1 ]
}

@test "cli: commands hako does not implement yet parse runc's options, then say so" {
  run --separate-stderr hako restore --image-path x --lsm-profile a:b --empty-ns network c1
  [ "$stderr" = "hako: restore: not implemented yet" ]
  run --separate-stderr hako create --preserve-fds many c1
  [ "$status" -eq 1 ]
  [[ $stderr == *'invalid value "many" for flag -preserve-fds: parse error' ]]
  run --separate-stderr hako update --memory 1g --nosuch x
  [[ $stderr == *"flag provided but not defined: -nosuch" ]]
}

@test "cli: list on an empty or missing root" {
  run --separate-stderr hako list
  assert_success
  [ "$output" = "ID          PID         STATUS      BUNDLE      CREATED     OWNER" ]
  run --separate-stderr hako list --format json
  assert_success
  [ "$output" = "[]" ]
  run --separate-stderr hako list -q
  assert_success
  [ -z "$output" ]
  run --separate-stderr hako list --format xml
  [ "$status" -eq 1 ]
  [ "$stderr" = "hako: invalid format option" ]
}

@test "cli: list and state read the store under --root" {
  local root="$BATS_TEST_TMPDIR/store"
  mkdir -p "$root/bbb" "$root/aaa" "$root/half"
  echo '{"id":"bbb","bundle":"/bundles/b","pid":0,"created":"2026-01-01T00:00:00.000000001Z"}' \
    > "$root/bbb/state.json"
  echo "{\"id\":\"aaa\",\"bundle\":\"/bundles/a\",\"pid\":$$,\"annotations\":{\"k\":\"v\"}}" \
    > "$root/aaa/state.json"
  mkfifo "$root/aaa/exec.fifo" # created, not yet started
  run --separate-stderr "$HAKO" --root "$root" list -q
  [ "$output" = "$(printf 'aaa\nbbb')" ]
  run --separate-stderr "$HAKO" --root "$root" list
  assert_success
  [ "${#lines[@]}" -eq 3 ]
  local me
  me=$(id -un)
  [[ ${lines[1]} =~ ^aaa\ +$$\ +created\ +/bundles/a\ +\ $me$ ]]
  [[ ${lines[2]} =~ ^bbb\ +0\ +stopped\ +/bundles/b\ +2026-01-01T00:00:00.000000001Z\ +$me$ ]]
  run --separate-stderr "$HAKO" --root "$root" list --format json
  assert_success
  [ "$(jq -r '.[].id' <<<"$output" | tr '\n' ' ')" = "aaa bbb " ]
  [ "$(jq -r '.[0].annotations.k' <<<"$output")" = v ]
  run --separate-stderr "$HAKO" --root "$root" state bbb
  assert_success
  echo "$output" > "$BATS_TEST_TMPDIR/state.json"
  [ "$(jq -r '.status + " " + (.pid|tostring) + " " + .ociVersion' <<<"$output")" = "stopped 0 1.3.0" ]
  validate_json "$BATS_TEST_TMPDIR/state.json" state-schema.json state
  # a directory without state.json is a create that has not finished
  run --separate-stderr "$HAKO" --root "$root" state half
  [ "$stderr" = 'hako: container "half" does not exist' ]
}

@test "cli: delete removes a stopped container from the store" {
  mkdir -p "$HAKO_ROOT/gone/sub"
  echo '{"id":"gone","bundle":"/b","pid":0}' > "$HAKO_ROOT/gone/state.json"
  run hako delete gone
  assert_success
  [ ! -e "$HAKO_ROOT/gone" ]
  [ ! -e "$HAKO_ROOT/@locks/gone" ]
  run --separate-stderr hako delete gone
  [ "$stderr" = 'hako: container "gone" does not exist' ]
}

@test "cli: kill refuses a stopped container, signals a live init; delete -f kills a created one" {
  mkdir -p "$HAKO_ROOT/dead"
  echo '{"id":"dead","bundle":"/b","pid":0}' > "$HAKO_ROOT/dead/state.json"
  run --separate-stderr hako kill dead KILL
  [ "$status" -eq 1 ]
  [ "$stderr" = "hako: container not running" ]
  run --separate-stderr hako kill dead NOSUCHSIG
  [ "$stderr" = 'hako: unknown signal "NOSUCHSIG"' ]
  sleep 100 3>&- &
  local pid=$!
  local start
  start=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f20)
  mkdir -p "$HAKO_ROOT/live"
  echo "{\"id\":\"live\",\"bundle\":\"/b\",\"pid\":$pid,\"pidStartTime\":$start}" \
    > "$HAKO_ROOT/live/state.json"
  mkfifo "$HAKO_ROOT/live/exec.fifo" # created, not yet started
  run --separate-stderr hako state live
  [ "$(jq -r .status <<<"$output")" = created ]
  run --separate-stderr hako kill live SIGCONT
  assert_success
  kill -0 "$pid"
  # runtime-spec: deleting a container that is not stopped is an error with
  # no effect (runc kills a created one); --force kills it
  run --separate-stderr hako delete live
  [ "$status" -eq 1 ]
  [ "$stderr" = "hako: cannot delete container live that is not stopped: created" ]
  kill -0 "$pid"
  run --separate-stderr hako delete --force live
  assert_success
  ! kill -0 "$pid" 2>/dev/null || { wait "$pid" || true; ! kill -0 "$pid" 2>/dev/null; }
  [ ! -e "$HAKO_ROOT/live" ]
}

@test "cli: a recorded pid now used by another process is not the container" {
  sleep 100 3>&- &
  local pid=$!
  mkdir -p "$HAKO_ROOT/reused"
  echo "{\"id\":\"reused\",\"bundle\":\"/b\",\"pid\":$pid,\"pidStartTime\":1}" \
    > "$HAKO_ROOT/reused/state.json"
  run --separate-stderr hako state reused
  [ "$(jq -r '.status + " " + (.pid|tostring)' <<<"$output")" = "stopped 0" ]
  run --separate-stderr hako kill reused KILL
  [ "$stderr" = "hako: container not running" ]
  kill -0 "$pid"
  kill "$pid"
}

@test "cli: spec writes a valid config.json and refuses to overwrite it" {
  run --separate-stderr hako spec -b "$BUNDLE"
  assert_success
  validate_json "$BUNDLE/config.json" config-schema.json config
  local c="$BUNDLE/config.json"
  [ "$(jq -c .process.args "$c")" = '["sh"]' ]
  [ "$(jq -r .process.terminal "$c")" = true ]
  [ "$(jq -c .process.capabilities.bounding "$c")" = '["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]' ]
  [ "$(jq -c '.process.rlimits[0]' "$c")" = '{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}' ]
  [ "$(jq -r '[.mounts[].destination] | join(" ")' "$c")" = "/proc /dev /dev/pts /dev/shm /dev/mqueue /sys /sys/fs/cgroup" ]
  [ "$(jq -r '[.linux.namespaces[].type] | join(" ")' "$c")" = "pid network ipc uts mount cgroup" ]
  jq -e '.mounts[2].options | index("gid=5")' "$c"
  jq -e '.linux.maskedPaths | index("/proc/kcore")' "$c"
  jq -e '.linux.readonlyPaths | index("/proc/sys")' "$c"
  local before
  before=$(cat "$c")
  run --separate-stderr hako spec --bundle="$BUNDLE"
  [ "$status" -eq 1 ]
  [ "$stderr" = "hako: File config.json exists. Remove it first" ]
  [ "$(cat "$c")" = "$before" ]
  # the current directory is the default bundle
  mkdir "$BATS_TEST_TMPDIR/cwd"
  cd "$BATS_TEST_TMPDIR/cwd"
  run hako spec
  assert_success
  [ -s config.json ]
  run --separate-stderr hako spec -b "$BATS_TEST_TMPDIR/nosuch"
  [ "$status" -eq 1 ]
}

@test "cli: spec --rootless maps the current user and drops what needs root" {
  run --separate-stderr hako spec --rootless -b "$BUNDLE"
  assert_success
  local c="$BUNDLE/config.json"
  validate_json "$c" config-schema.json config
  [ "$(jq -r '[.linux.namespaces[].type] | join(" ")' "$c")" = "pid ipc uts mount cgroup user" ]
  [ "$(jq -c '.linux.uidMappings' "$c")" = "[{\"containerID\":0,\"hostID\":$(id -u),\"size\":1}]" ]
  [ "$(jq -c '.linux.gidMappings' "$c")" = "[{\"containerID\":0,\"hostID\":$(id -g),\"size\":1}]" ]
  [ "$(jq -c '.mounts[] | select(.destination == "/sys")' "$c")" = \
    '{"destination":"/sys","type":"none","source":"/sys","options":["rbind","nosuid","noexec","nodev","ro"]}' ]
  [ "$(jq -c '.mounts[2].options | map(select(startswith("gid="))) | length' "$c")" = 0 ]
  [ "$(jq -c '.linux.resources' "$c")" = null ]
}

@test "cli: features prints a features document the schema accepts" {
  run --separate-stderr hako features
  assert_success
  local f="$BATS_TEST_TMPDIR/features.json"
  echo "$output" > "$f"
  validate_json "$f" features-schema.json features
  [ "$(jq -r .ociVersionMin "$f")" = 1.0.0 ]
  [ "$(jq -r .ociVersionMax "$f")" = 1.3.0 ]
  [ "$(jq -r '.hooks | length' "$f")" = 6 ]
  [ "$(jq -r '.linux.namespaces | sort | join(" ")' "$f")" = "cgroup ipc mount network pid time user uts" ]
  jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") and index("CAP_CHOWN")' "$f"
  jq -e '.mountOptions | index("rro") and index("idmap") and index("ridmap")' "$f"
  jq -e '.mountOptions | index("tmpcopyup") and index("notmpcopyup")' "$f"
  jq -e '.linux.intelRdt.enabled == false' "$f"
  [ "$(jq -r '.annotations["io.github.hako.version"]' "$f")" = "$("$HAKO" -v | sed -n 's/^hako version //p')" ]
  # what the build says and what features says agree
  local build
  build=$("$HAKO" -v | sed -n 4p)
  if [[ $build == *+SECCOMP* ]]; then
    jq -e '.linux.seccomp.enabled and (.linux.seccomp.supportedFlags - .linux.seccomp.knownFlags == [])' "$f"
  else
    jq -e '.linux.seccomp.enabled == false' "$f"
  fi
  [[ $build == *+SELINUX* ]] && jq -e '.linux.selinux.enabled' "$f" || jq -e '.linux.selinux.enabled == false' "$f"
  [[ $build == *+SYSTEMD* ]] && jq -e '.linux.cgroup.systemd' "$f" || jq -e '.linux.cgroup.systemd == false' "$f"
}

@test "cli: --log FILE gets the error as a record, stderr the plain message" {
  local log="$BATS_TEST_TMPDIR/hako.log"
  run --separate-stderr hako --log "$log" --log-format json state nosuch
  [ "$status" -eq 1 ]
  [ "$stderr" = 'hako: container "nosuch" does not exist' ]
  run --separate-stderr hako --log="$log" --log-format=json state other
  [ "$(wc -l < "$log")" -eq 2 ]
  # every line is one JSON object with level, msg and time (RFC 3339)
  jq -e -s 'all(.[]; .level == "error" and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")))' "$log"
  [ "$(tail -1 "$log" | jq -r .msg)" = 'container "other" does not exist' ]
  # text records in logfmt, appended to the same file
  run hako --log "$log" state third
  tail -1 "$log" | grep -Eq '^time="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z" level=error msg="'
  [ "$(tail -1 "$log" | sed 's/^time="[^"]*" //')" = 'level=error msg="container \"third\" does not exist"' ]
}

@test "cli: --log-format json without --log writes the record to stderr only" {
  run --separate-stderr hako --log-format json state 'bad"id'
  [ "$status" -eq 1 ]
  [ "$(jq -r .msg <<<"$stderr")" = 'invalid container id "bad"id"' ]
  [ "$(jq -r .level <<<"$stderr")" = error ]
}

@test "cli: --debug adds debug records" {
  run --separate-stderr hako --debug --log-format json list
  assert_success
  jq -e 'select(.level == "debug")' <<<"$stderr"
  run --separate-stderr hako --log-format json list
  [ -z "$stderr" ]
}

@test "cli: the default root is /run/hako, or \$XDG_RUNTIME_DIR/hako for non-root" {
  run --separate-stderr "$HAKO" --debug --log-format json list
  [ "$(jq -r 'select(.level == "debug") | .msg' <<<"$stderr" | grep -o 'root [^ )]*')" = "root /run/hako" ] \
    || [ "$(id -u)" -ne 0 ]
  if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    mkdir -p "$BATS_TEST_TMPDIR/xdg"
    chmod 777 "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/xdg"
    run --separate-stderr env XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/xdg" \
      setpriv --reuid=65534 --regid=65534 --clear-groups "$HAKO" --debug --log-format json list
    [ "$(jq -r 'select(.level == "debug") | .msg' <<<"$stderr" | grep -o 'root [^ )]*')" = "root $BATS_TEST_TMPDIR/xdg/hako" ]
  fi
}
