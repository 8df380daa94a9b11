#!/usr/bin/python3
"""The reference verdict on OCI documents: the runtime-spec's JSON schema
(draft-04) as python3-jsonschema applies it.

Used as a module by differential.py, and as a tool by schema-agreement.sh:

    schemaref.py SCHEMA_DIR KIND FILE...

prints, like oci-validate, "valid FILE" or "invalid FILE: reason" per file.

What counts as a JSON document is RFC 8259's definition, applied strictly:
the bytes must be UTF-8 (RFC 8259 section 8.1) and the text must follow the
grammar, so Python's extensions (NaN, Infinity) are rejected.  Python's
own limits are lifted (recursion depth, digits in an integer), since they
are properties of Python, not of the schema.
"""
import json
import os
import sys

import jsonschema
from jsonschema import Draft4Validator, RefResolver

# The schema file of each document kind; a "#/..." suffix names a part.
SCHEMA_FILES = {
    "config": ("config-schema.json", ""),
    "state": ("state-schema.json", ""),
    "features": ("features-schema.json", ""),
    # runc exec --process reads config.json's process object on its own.
    "process": ("config-schema.json", "/properties/process"),
}

sys.setrecursionlimit(20000)
if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)


class InvalidJSON(ValueError):
    pass


def _reject_constant(name):
    raise InvalidJSON("%s is not JSON (RFC 8259 allows no NaN or Infinity)" % name)


def load_json(data):
    """Parse DATA (bytes) as strict JSON, or raise InvalidJSON."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidJSON("not UTF-8: %s" % e) from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except InvalidJSON:
        raise
    except (ValueError, RecursionError) as e:
        raise InvalidJSON("invalid JSON: %s" % e) from None


class Reference:
    """Draft-04 validators for each document kind, with every schema file
    of SCHEMA_DIR preloaded so "defs.json#/..." references resolve."""

    def __init__(self, schema_dir):
        self.schema_dir = os.path.abspath(schema_dir)
        self.base_uri = "file://" + self.schema_dir + "/"
        self.store = {}
        for name in sorted(os.listdir(self.schema_dir)):
            if name.endswith(".json"):
                with open(os.path.join(self.schema_dir, name), "rb") as f:
                    self.store[self.base_uri + name] = json.loads(f.read())
        self.validators = {}
        self._parts_of = {}
        for kind, (name, pointer) in SCHEMA_FILES.items():
            root = self.store[self.base_uri + name]
            resolver = RefResolver(base_uri=self.base_uri, referrer=root, store=self.store)
            schema = resolver.resolve_fragment(root, pointer) if pointer else root
            if kind != "process":
                Draft4Validator.check_schema(schema)
            self.validators[kind] = Draft4Validator(schema, resolver=resolver)

    def verdict(self, kind, data):
        """(True, None) when DATA (bytes) is valid, else (False, reason)."""
        try:
            doc = load_json(data)
        except InvalidJSON as e:
            return False, str(e)
        error = next(self.validators[kind].iter_errors(doc), None)
        if error is None:
            return True, None
        where = ".".join(str(p) for p in error.absolute_path)
        return False, "%s: %s" % (where or "(root)", error.message[:200])

    def verdict_by_parts(self, kind, data, cache):
        """The same verdict as verdict(), computed member by member.

        A root schema made only of "type": "object", "properties" and
        "required" accepts a document exactly when the root is an object
        with the required members and each member is valid on its own, so
        each member's verdict can be cached (CACHE, keyed by its canonical
        text): a mutated document then costs one member's validation."""
        parts = self._parts(kind)
        if parts is None:
            return self.verdict(kind, data)
        try:
            doc = load_json(data)
        except InvalidJSON as e:
            return False, str(e)
        required, members = parts
        if not isinstance(doc, dict) or any(k not in doc for k in required):
            return self.verdict(kind, data)
        for key, value in doc.items():
            if key not in members:
                continue
            memo = (kind, key, json.dumps(value, sort_keys=True))
            if memo not in cache:
                error = next(members[key].iter_errors(value), None)
                cache[memo] = None if error is None else "%s: %s" % (
                    ".".join([key] + [str(p) for p in error.absolute_path]),
                    error.message[:200])
            if cache[memo] is not None:
                return False, cache[memo]
        return True, None

    def _parts(self, kind):
        """(required names, {member: validator}) or None if the root schema
        is not a plain "type"/"properties"/"required" object schema."""
        if kind in self._parts_of:
            return self._parts_of[kind]
        v = self.validators[kind]
        schema = v.schema
        plain = set(schema) <= {"description", "$schema", "type", "properties", "required"}
        parts = None
        if plain and schema.get("type") == "object":
            parts = (list(schema.get("required", [])),
                     {k: v.evolve(schema=sub) for k, sub in schema["properties"].items()})
        self._parts_of[kind] = parts
        return parts

    def verdict_file(self, kind, path):
        with open(path, "rb") as f:
            return self.verdict(kind, f.read())


def main(argv):
    if len(argv) < 3 or argv[1] not in SCHEMA_FILES:
        sys.stderr.write("usage: schemaref.py SCHEMA_DIR config|state|features|process FILE...\n")
        return 2
    ref = Reference(argv[0])
    status = 0
    for path in argv[2:]:
        valid, reason = ref.verdict_file(argv[1], path)
        if valid:
            print("valid %s" % path)
        else:
            status = 1
            print("invalid %s: %s" % (path, reason.replace("\n", "\\n")))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
