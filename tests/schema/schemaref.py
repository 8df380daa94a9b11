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
import hashlib
import json
import os
import sys

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
        """The same verdict as verdict(), computed part by part.

        Under draft-04, a schema made only of "type": "object",
        "properties" and "required" (and annotations) accepts an object
        exactly when the required members are there and each member is
        valid under its property's schema.  Such schemas are taken apart
        down to the first schema that is not of that form, which
        python-jsonschema applies to its part; each part's verdict is cached
        (CACHE, keyed by a digest of the part's canonical text), so a
        mutated document costs about one small validation."""
        try:
            doc = load_json(data)
        except InvalidJSON as e:
            return False, str(e)
        v = self.validators[kind]
        error = self._part_error(v, self.base_uri, v.schema, doc, "", cache)
        return error is None, error

    PLAIN = {"description", "$schema", "type", "properties", "required"}

    def _part_error(self, v, scope, schema, value, where, cache):
        while "$ref" in schema:  # draft-04: $ref replaces its siblings
            v.resolver.push_scope(scope)
            try:
                scope, schema = v.resolver.resolve(schema["$ref"])
            finally:
                v.resolver.pop_scope()
        if not (set(schema) <= self.PLAIN and schema.get("type") == "object"
                and isinstance(value, dict)):
            v.resolver.push_scope(scope)
            try:
                error = next(v.evolve(schema=schema).iter_errors(value), None)
            finally:
                v.resolver.pop_scope()
            if error is None:
                return None
            path = [where] if where else []
            return "%s: %s" % (".".join(path + [str(p) for p in error.absolute_path])
                               or "(root)", error.message[:200])
        for name in schema.get("required", []):
            if name not in value:
                return "%s: %r is a required property" % (where or "(root)", name)
        for name, sub in schema.get("properties", {}).items():
            if name not in value:
                continue
            text = json.dumps(value[name], sort_keys=True).encode("utf-8", "surrogatepass")
            key = (id(sub), scope, hashlib.blake2b(text, digest_size=16).digest())
            if key not in cache:
                cache[key] = self._part_error(v, scope, sub, value[name],
                                              (where + "." if where else "") + name, cache)
            if cache[key] is not None:
                return cache[key]
        return None

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
