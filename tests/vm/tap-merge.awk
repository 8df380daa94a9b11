# Turn the test VM's marked-up output (see guest-cgroup.sh) into one TAP
# stream: every result of every suite, renumbered and named after its suite
# (awk -v prefix=NAME).  A suite that stopped early, ran fewer tests than it
# planned, or exited non-zero with no failing test adds a failure of its
# own, and so does a guest that never said @@DONE (it hung or crashed).
# Anything else is kept as a TAP comment.  The plan comes last.

function emit(result, desc) {
  n++
  printf "%s %d - %s\n", result, n, desc
}

/^@@CHECK / {
  line = $0
  sub(/^@@CHECK /, "", line)
  if (sub(/^not ok /, "", line))
    emit("not ok", prefix ": " line)
  else {
    sub(/^ok /, "", line)
    emit("ok", prefix ": " line)
  }
  next
}

/^@@SUITE / {
  suite = $2
  insuite = 1
  planned = -1
  ran = 0
  failed = 0
  skipall = ""
  next
}

/^@@END / {
  rc = $3
  what = prefix " " suite ": "
  if (skipall != "")
    emit("ok", what "# SKIP " skipall)
  else if (planned < 0)
    emit("not ok", what "no plan: the suite stopped early (exit status " rc ")")
  else if (ran != planned)
    emit("not ok", what "ran " ran " of " planned " tests (exit status " rc ")")
  else if (rc != 0 && failed == 0)
    emit("not ok", what "exit status " rc " although every test passed")
  insuite = 0
  next
}

/^@@DONE/ {
  done = 1
  next
}

insuite && /^1\.\.[0-9]+/ {
  planned = $0
  sub(/^1\.\./, "", planned)
  planned += 0
  if (planned == 0 && match($0, /#[ \t]*[Ss][Kk][Ii][Pp]/)) {
    skipall = substr($0, RSTART + RLENGTH)
    sub(/^[: \t]+/, "", skipall)
    if (skipall == "")
      skipall = "skipped"
  }
  next
}

insuite && /^(not )?ok( |$)/ {
  ran++
  line = $0
  failing = sub(/^not ok/, "", line)
  if (!failing)
    sub(/^ok/, "", line)
  sub(/^[ \t]*[0-9]*[ \t]*(-[ \t]+)?/, "", line)
  if (failing)
    failed++
  emit(failing ? "not ok" : "ok", prefix " " suite ": " line)
  next
}

insuite && /^Bail out!/ {
  emit("not ok", prefix " " suite ": " $0)
  failed++
  next
}

{ print "# " $0 }

END {
  if (!done)
    emit("not ok", prefix ": the guest did not finish (console log below)")
  print "1.." n
  exit done ? 0 : 1
}
