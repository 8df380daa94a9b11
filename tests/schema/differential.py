#!/usr/bin/python3
"""Differential test of libocispec against the OCI runtime-spec JSON schema.

1. Static check: the types in libocispec/types.def (with the enums of
   types.c and the patterns of patterns.c) describe the same documents as
   the schema: the same properties, kinds, required members, integer bounds,
   enum values, patterns and minItems.
2. Coverage: tests/schema/full-linux-config.json sets every field that
   types.def knows for config.json.
3. Mutations: from valid documents (that config and the spec's good
   examples) a seeded, deterministic generator derives thousands of
   variants: wrong types at every path, deleted members, integers at every
   boundary, floats, odd strings, empty arrays, duplicate and odd keys,
   deep nesting, invalid JSON and UTF-8.  Each is written to a file;
   oci-validate --roundtrip --batch (a few runs, one per CPU) gives hako's
   verdicts, python3-jsonschema gives the schema's, and any disagreement
   that no entry of allowed-disagreements.txt explains fails the test.

Output is TAP.  Usage:
  differential.py --spec-dir DIR --oci-validate PATH --srcdir DIR [--seed N]
"""
import argparse
import multiprocessing
import os
import random
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schemaref  # noqa: E402
from schematypes import check_types_against_schema, uncovered_fields  # noqa: E402
from mutations import generate  # noqa: E402

MIN_MUTATIONS = 2000
# The spec's other good examples add real-world shapes; a seeded sample of
# this many of their mutations is enough beside the thorough ones.
LIGHT_CAP = 250
# One case in this many is also validated as a whole document.
WHOLE_SAMPLE_EVERY = 23


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, details=()):
        self.n += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, what))
        if not cond:
            self.failed += 1
            for line in details:
                self.diag(line)
        return cond

    def diag(self, text):
        for line in str(text).splitlines() or [""]:
            print("# " + line)

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


class Allowlist:
    """Entries of allowed-disagreements.txt: [name], match: REGEX, why: TEXT."""

    def __init__(self, path):
        self.entries = []
        entry = None
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                m = re.match(r"^\[([\w-]+)\]$", line)
                if m:
                    entry = {"name": m.group(1), "match": None, "why": "", "hits": 0}
                    self.entries.append(entry)
                elif entry is not None and line.startswith("match: "):
                    entry["match"] = re.compile(line[len("match: "):])
                elif entry is not None and line.startswith("why: "):
                    entry["why"] = line[len("why: "):]
                elif entry is not None and line.startswith("     "):
                    entry["why"] += " " + line.strip()
                else:
                    raise SystemExit("%s:%d: cannot parse %r" % (path, lineno, line))
        for e in self.entries:
            if e["match"] is None or not e["why"]:
                raise SystemExit("%s: entry [%s] needs match: and why:" % (path, e["name"]))

    def explain(self, description):
        for e in self.entries:
            if e["match"].search(description):
                e["hits"] += 1
                return e
        return None


# ---- the reference verdicts, in parallel ----

_REF = None
_CACHE = {}


def _ref_verdict(job):
    kind, path, whole = job
    with open(path, "rb") as f:
        data = f.read()
    if whole:
        return _REF.verdict(kind, data)
    return _REF.verdict_by_parts(kind, data, _CACHE)


CPUS = max(1, min(os.cpu_count() or 1, 8))


def reference_verdicts(ref, jobs):
    """Verdicts for (kind, path, whole) jobs, in parallel.  A job marked whole
    is validated as one document; the others member by member (same verdict,
    faster); differential.py checks that both ways agree on a sample."""
    global _REF
    _REF = ref
    if CPUS == 1:
        return [_ref_verdict(j) for j in jobs]
    with multiprocessing.get_context("fork").Pool(CPUS) as pool:
        return pool.map(_ref_verdict, jobs, chunksize=256)


def start_hako(oci_validate, kind, paths, tmp, tag):
    """Start one oci-validate --roundtrip --batch run over PATHS.  With
    --roundtrip, a document hako accepts also has to survive serialize ->
    parse -> serialize unchanged, or it is reported invalid."""
    listing = os.path.join(tmp, "list-%s" % tag)
    output = os.path.join(tmp, "verdicts-%s" % tag)
    with open(listing, "w") as f:
        f.write("".join(p + "\n" for p in paths))
    with open(listing) as stdin, open(output, "wb") as stdout:
        proc = subprocess.Popen([oci_validate, "--type", kind, "--roundtrip", "--batch"],
                                stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
    return proc, output, paths


def hako_verdicts(run):
    """{path: (valid, message)} from a run start_hako started."""
    proc, output, paths = run
    _, err = proc.communicate()
    if proc.returncode not in (0, 1):
        raise RuntimeError("oci-validate exited with %d: %s"
                           % (proc.returncode, err.decode(errors="replace")))
    wanted = set(paths)
    out = {}
    with open(output, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    for line in text.split("\n"):
        if not line:
            continue
        word, _, rest = line.partition(" ")
        path, _, message = rest.partition(": ")
        if word == "valid" and rest in wanted:
            out[rest] = (True, "")
        elif word == "invalid" and path in wanted:
            out[path] = (False, message)
        else:
            raise RuntimeError("unexpected oci-validate output line: %r" % line)
    missing = wanted - set(out)
    if missing:
        raise RuntimeError("no verdict for %d files, e.g. %s" % (len(missing), sorted(missing)[0]))
    return out


# ---- the run ----

def load_bases(args):
    """(kind, name, bytes) of each valid document that mutations start from."""
    bases = []
    full = os.path.join(args.srcdir, "tests", "schema", "full-linux-config.json")
    with open(full, "rb") as f:
        bases.append(("config", "full-linux-config.json", f.read()))
    for kind in ("config", "state", "features"):
        good = os.path.join(args.spec_dir, "schema", "test", kind, "good")
        for name in sorted(os.listdir(good)):
            if name.endswith(".json"):
                with open(os.path.join(good, name), "rb") as f:
                    bases.append((kind, "%s/good/%s" % (kind, name), f.read()))
    return bases


def static_checks(tap, args, ref):
    srcdir = args.srcdir
    problems, notes = check_types_against_schema(srcdir, ref)
    tap.ok(not problems, "types.def, types.c and patterns.c describe the schema's documents",
           problems)
    for note in notes:
        tap.diag("note: " + note)
    with open(os.path.join(srcdir, "tests", "schema", "full-linux-config.json"), "rb") as f:
        full = schemaref.load_json(f.read())
    missing = uncovered_fields(srcdir, "config", full)
    tap.ok(not missing, "full-linux-config.json sets every config field of types.def",
           ["never set: " + p for p in missing])


def compare(tap, args, ref):
    bases = load_bases(args)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="hako-differential.") as tmp:
        cases = []  # (kind, base, category, case_id, path)
        for kind, name, data in bases:
            base_path = os.path.join(tmp, "base-%d.json" % len(cases))
            with open(base_path, "wb") as f:
                f.write(data)
            cases.append((kind, name, "base document", name + ": unchanged", base_path))
            full = name == "full-linux-config.json" or name.endswith("runc.json") \
                or name.startswith("state/")
            generated = list(generate(kind, data, rng, thorough=full))
            if not full and len(generated) > LIGHT_CAP:
                keep = sorted(rng.sample(range(len(generated)), LIGHT_CAP))
                generated = [generated[i] for i in keep]
            for category, case_id, text in generated:
                path = os.path.join(tmp, "%06d.json" % len(cases))
                with open(path, "wb") as f:
                    f.write(text)
                cases.append((kind, name, category, "%s: %s" % (name, case_id), path))
        # hako's runs (split across the CPUs) go on while Python works.
        started = time.monotonic()
        runs = []
        for kind in ("config", "state", "features"):
            paths = [c[4] for c in cases if c[0] == kind]
            step = -(-len(paths) // CPUS)
            for i in range(0, len(paths), step):
                runs.append(start_hako(args.oci_validate, kind, paths[i:i + step], tmp,
                                       "%s-%d" % (kind, i)))
        jobs = [(c[0], c[4], False) for c in cases]
        sample = list(range(0, len(cases), WHOLE_SAMPLE_EVERY))
        results = reference_verdicts(ref, jobs + [(cases[i][0], cases[i][4], True)
                                                  for i in sample])
        ref_results, whole = results[:len(cases)], results[len(cases):]
        differ = ["%s: by members %s, whole %s" % (cases[i][3], ref_results[i][0], w[0])
                  for i, w in zip(sample, whole) if w[0] != ref_results[i][0]]
        tap.ok(not differ, "member-by-member schema verdicts equal whole-document ones "
               "(%d sampled cases)" % len(sample), differ[:20])
        schema_done = time.monotonic()
        hako = {}
        for run in runs:
            hako.update(hako_verdicts(run))
        tap.diag("seconds: %.1f for the schema's verdicts, %.1f more for hako's"
                 % (schema_done - started, time.monotonic() - schema_done))
    return bases, cases, ref_results, hako


def report(tap, allow, bases, cases, ref_results, hako):
    groups = {}
    unexplained = []
    by_reason = {}
    mutations = 0
    for (kind, name, category, case_id, path), (ref_valid, ref_reason) in zip(cases, ref_results):
        hako_valid, message = hako[path]
        if category != "base document":
            mutations += 1
        g = groups.setdefault((name, category), {"n": 0, "bad": []})
        g["n"] += 1
        if ref_valid == hako_valid:
            continue
        desc = "schema=%s hako=%s | %s | %s" % (
            "valid" if ref_valid else "invalid", "valid" if hako_valid else "invalid",
            case_id, message if not hako_valid else "(accepted); schema: " + ref_reason)
        entry = allow.explain(desc)
        if entry is not None and category != "base document":
            by_reason[entry["name"]] = by_reason.get(entry["name"], 0) + 1
        else:
            g["bad"].append(desc)
            unexplained.append(desc)
    for (name, category), g in groups.items():
        tap.ok(not g["bad"], "%s: %s: %d cases agree (or are allowlisted)"
               % (name, category, g["n"]), g["bad"][:40])
    tap.ok(mutations >= MIN_MUTATIONS, "at least %d mutations ran (%d)"
           % (MIN_MUTATIONS, mutations))
    for e in allow.entries:
        tap.ok(e["hits"] > 0, "allowlist entry [%s] is exercised (%d cases)"
               % (e["name"], e["hits"]),
               ["no generated case matches it: stale entry or lost coverage?"])
    agreements = len(cases) - sum(by_reason.values()) - len(unexplained)
    tap.diag("documents: %d base files, %d mutations, %d cases in all"
             % (len(bases), mutations, len(cases)))
    tap.diag("agreements: %d; allowlisted disagreements: %d (%s); unexplained: %d"
             % (agreements, sum(by_reason.values()),
                ", ".join("%s %d" % kv for kv in sorted(by_reason.items())) or "none",
                len(unexplained)))
    return len(unexplained)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec-dir", required=True)
    ap.add_argument("--oci-validate", required=True)
    ap.add_argument("--srcdir", required=True)
    ap.add_argument("--seed", type=int, default=20250601)
    args = ap.parse_args()
    tap = Tap()
    tap.diag("seed %d" % args.seed)
    ref = schemaref.Reference(os.path.join(args.spec_dir, "schema"))
    allow = Allowlist(os.path.join(args.srcdir, "tests", "schema", "allowed-disagreements.txt"))
    static_checks(tap, args, ref)
    try:
        bases, cases, ref_results, hako = compare(tap, args, ref)
    except RuntimeError as e:  # oci-validate crashed, leaked or printed nonsense
        tap.ok(False, "oci-validate gives one verdict line per document", [str(e)])
        return tap.done()
    report(tap, allow, bases, cases, ref_results, hako)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
