"""Compare libocispec's type tables with the OCI JSON schema (differential.py).

Both sides are reduced to the same shape: a node is a dict with "type"
(object, array, string, integer, boolean) and, by type, "properties",
"required", "map" (the value node of a map), "schema_keys" (a map whose
keys are constrained only when they match ".{1,}"), "raw" (any object),
"items", "min_items", "first_only", "min", "max", "enum", "pattern".
"""
import os
import re

C_CONSTANTS = {
    "INT8_MIN": -2**7, "INT8_MAX": 2**7 - 1, "INT16_MIN": -2**15, "INT16_MAX": 2**15 - 1,
    "INT32_MIN": -2**31, "INT32_MAX": 2**31 - 1, "INT64_MIN": -2**63, "INT64_MAX": 2**63 - 1,
    "UINT8_MAX": 2**8 - 1, "UINT16_MAX": 2**16 - 1, "UINT32_MAX": 2**32 - 1,
    "UINT64_MAX": 2**64 - 1,
}
CTYPE_BITS = {"int8_t": 8, "int16_t": 16, "int32_t": 32, "int64_t": 64, "uint8_t": 8,
              "uint16_t": 16, "uint32_t": 32, "uint64_t": 64}
ROOTS = {"config": "config", "state": "state", "features": "features"}


def c_value(text):
    text = text.strip()
    if text in C_CONSTANTS:
        return C_CONSTANTS[text]
    return int(text, 0)


def c_string(literal):
    """The value of a C string literal (only the escapes patterns.c uses)."""
    return re.sub(r"\\(.)", r"\1", literal)


# ---- libocispec's side ----

def read_types(srcdir):
    """{type name: [(macro, member, json, flags, args)]} from types.def."""
    types, current = {}, None
    with open(os.path.join(srcdir, "libocispec", "types.def")) as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    for m in re.finditer(r"OCI_(\w+)\s*\(([^()]*)\)", text):
        macro, args = m.group(1), [a.strip() for a in m.group(2).split(",")]
        if macro == "TYPE_BEGIN":
            current = types.setdefault(args[0], [])
        elif macro == "TYPE_END":
            current = None
        elif current is not None:
            current.append((macro, args[1], args[2].strip('"'), args[3], args[4:]))
    return types


def read_enums(srcdir):
    with open(os.path.join(srcdir, "libocispec", "types.c")) as f:
        text = f.read()
    return {m.group(1): re.findall(r'"([^"]*)"', m.group(2))
            for m in re.finditer(r"^ENUM\s*\((\w+),(.*?)\);", text, re.S | re.M)}


def read_patterns(srcdir):
    with open(os.path.join(srcdir, "libocispec", "patterns.c")) as f:
        text = f.read()
    return {m.group(1): c_string(m.group(2)) for m in re.finditer(
        r"oci_pattern_(\w+)\s*=\s*\{\s*\"((?:[^\"\\]|\\.)*)\"", text)}


class Tables:
    def __init__(self, srcdir):
        self.types = read_types(srcdir)
        self.enums = read_enums(srcdir)
        self.patterns = read_patterns(srcdir)

    def value_node(self, macro, args):
        base = macro[:-1] if macro in ("STRINGS", "ENUMS", "PATTERNS", "UINTS", "OBJECTS") \
            else macro
        if base == "STRING" or base == "STRMAP":
            return {"type": "string"}
        if base == "ENUM":
            return {"type": "string", "enum": sorted(self.enums[args[0]])}
        if base == "PATTERN":
            return {"type": "string", "pattern": self.patterns[args[0]]}
        if base == "BOOL":
            return {"type": "boolean"}
        if base == "INT":
            return {"type": "integer", "min": c_value(args[1]), "max": c_value(args[2]),
                    "bits": CTYPE_BITS[args[0]], "signed": True}
        if base == "UINT":
            return {"type": "integer", "min": 0, "max": c_value(args[1]),
                    "bits": CTYPE_BITS[args[0]], "signed": False}
        if base in ("OBJECT", "OBJMAP"):
            return self.type_node(args[0])
        if base == "RAW":
            return {"type": "object", "raw": True}
        raise ValueError("unknown macro OCI_%s" % macro)

    def field_node(self, macro, flags, args):
        value = self.value_node(macro, args)
        if macro in ("STRINGS", "ENUMS", "PATTERNS", "UINTS", "OBJECTS"):
            return {"type": "array", "items": value, "min_items": 1 if "OCI_NONEMPTY" in flags
                    else 0, "first_only": "OCI_FIRST_ITEM_ONLY" in flags}
        if macro in ("STRMAP", "OBJMAP"):
            return {"type": "object", "map": value, "schema_keys": "OCI_SCHEMA_KEYS" in flags,
                    "properties": {}, "required": []}
        return value

    def type_node(self, name):
        props, required = {}, []
        for macro, _member, json_name, flags, args in self.types[name]:
            props[json_name] = self.field_node(macro, flags, args)
            if "OCI_REQUIRED" in flags:
                required.append(json_name)
        return {"type": "object", "properties": props, "required": sorted(required)}


# ---- the schema's side ----

def schema_node(resolver, schema):
    if "$ref" in schema:  # draft-04: $ref replaces its siblings
        with resolver.resolving(schema["$ref"]) as sub:
            return schema_node(resolver, sub)
    node = {"type": schema.get("type")}
    for sub in schema.get("allOf", []) + schema.get("anyOf", []):
        merge(node, schema_node(resolver, sub))
    if len(schema.get("anyOf", [])) > 1:
        node["problem"] = "anyOf with several branches"
    t = node["type"]
    if t == "object":
        node.setdefault("properties", {})
        node.setdefault("required", [])
        for k, v in schema.get("properties", {}).items():
            node["properties"][k] = schema_node(resolver, v)
        node["required"] = sorted(set(node["required"]) | set(schema.get("required", [])))
        if isinstance(schema.get("additionalProperties"), dict):
            node["map"] = schema_node(resolver, schema["additionalProperties"])
            node["schema_keys"] = False
        pp = schema.get("patternProperties", {})
        if pp:
            node["map"] = schema_node(resolver, pp[".{1,}"]) if list(pp) == [".{1,}"] \
                else {"type": "unsupported patternProperties %s" % list(pp)}
            node["schema_keys"] = True
        if not node["properties"] and "map" not in node:
            node["raw"] = True
    elif t == "array":
        items = schema.get("items", {})
        node["first_only"] = isinstance(items, list)
        node["items"] = schema_node(resolver, items[0] if isinstance(items, list) else items)
        node["min_items"] = schema.get("minItems", 0)
    elif t == "integer":
        node["min"] = schema.get("minimum")
        node["max"] = schema.get("maximum")
    elif t == "string":
        if "enum" in schema:
            node["enum"] = sorted(schema["enum"])
        if "pattern" in schema:
            node["pattern"] = schema["pattern"]
    return node


def merge(into, other):
    if into["type"] is None:
        into["type"] = other["type"]
    if other["type"] != into["type"]:
        into["problem"] = "allOf/anyOf mixes %s and %s" % (into["type"], other["type"])
    if other["type"] == "object":
        into.setdefault("properties", {}).update(other.get("properties", {}))
        into["required"] = sorted(set(into.get("required", [])) | set(other.get("required", [])))
        into.pop("raw", None)
    else:
        for k, v in other.items():
            into.setdefault(k, v)


# ---- the comparison ----

def compare(s, d, path, problems, notes):
    where = path or "(root)"
    if "problem" in s:
        problems.append("%s: schema uses what the comparison cannot model: %s"
                        % (where, s["problem"]))
    if s["type"] != d["type"]:
        problems.append("%s: schema type %s, types.def %s" % (where, s["type"], d["type"]))
        return
    t = s["type"]
    if t == "object":
        compare_object(s, d, path, problems, notes)
    elif t == "array":
        for key in ("min_items", "first_only"):
            if s[key] != d[key]:
                problems.append("%s: %s is %s in the schema, %s in types.def"
                                % (where, key, s[key], d[key]))
        compare(s["items"], d["items"], path + "[]", problems, notes)
    elif t == "integer":
        compare_integer(s, d, where, problems, notes)
    elif t == "string":
        for key in ("enum", "pattern"):
            if s.get(key) != d.get(key):
                problems.append("%s: %s is %r in the schema, %r in types.def"
                                % (where, key, s.get(key), d.get(key)))


def compare_object(s, d, path, problems, notes):
    where = path or "(root)"
    if s.get("raw") != d.get("raw"):
        problems.append("%s: any object in one, typed in the other" % where)
        return
    if ("map" in s) != ("map" in d):
        problems.append("%s: a map in one, not in the other" % where)
    elif "map" in s:
        if s["schema_keys"] != d["schema_keys"]:
            problems.append("%s: map keys constrained differently" % where)
        compare(s["map"], d["map"], path + "{}", problems, notes)
    sp, dp = set(s.get("properties", {})), set(d.get("properties", {}))
    for k in sorted(sp - dp):
        problems.append("%s: property %s is in the schema, not in types.def" % (where, k))
    for k in sorted(dp - sp):
        problems.append("%s: property %s is in types.def, not in the schema" % (where, k))
    if s.get("required", []) != d.get("required", []):
        problems.append("%s: required %s in the schema, %s in types.def"
                        % (where, s.get("required"), d.get("required")))
    for k in sorted(sp & dp):
        compare(s["properties"][k], d["properties"][k], (path + "." if path else "") + k,
                problems, notes)


# Bounds hako widens on purpose: (path, end) -> why.  Each is also an entry
# of allowed-disagreements.txt, which the mutations must exercise.
WIDENED = {
    ("linux.devices[].fileMode", "max"):
        "podman writes the host node's st_mode, file type bits included (8630 for a "
        "char device 0666), and runc and crun accept it; the type bits are checked "
        "against the device's type (validate-linux-ns.c)",
}


def compare_integer(s, d, where, problems, notes):
    bits, signed = d["bits"], d["signed"]
    lo_c = -2**(bits - 1) if signed else 0
    hi_c = 2**(bits - 1) - 1 if signed else 2**bits - 1
    if not (lo_c <= d["min"] <= d["max"] <= hi_c):
        problems.append("%s: bounds [%d, %d] do not fit the C type" % (where, d["min"], d["max"]))
    for end, unbounded in (("min", -2**63), ("max", 2**63 - 1)):
        if s[end] is None:
            if d[end] != unbounded or not signed or bits != 64:
                problems.append("%s: the schema sets no %s; types.def should use int64 (%s)"
                                % (where, end, d[end]))
            else:
                notes.append("%s: no %simum in the schema; stored as int64" % (where, end))
        elif s[end] != d[end] and (where, end) in WIDENED:
            notes.append("%s: %s is %d in the schema, %d in types.def: %s"
                         % (where, end, s[end], d[end], WIDENED[(where, end)]))
        elif s[end] != d[end]:
            problems.append("%s: %s is %d in the schema, %d in types.def"
                            % (where, end, s[end], d[end]))


def check_types_against_schema(srcdir, ref):
    """(problems, notes) of comparing every document kind."""
    tables = Tables(srcdir)
    problems, notes = [], []
    for kind, root in ROOTS.items():
        validator = ref.validators[kind]
        s = schema_node(validator.resolver, validator.schema)
        compare(s, tables.type_node(root), "", problems, notes)
    return ["%s" % p for p in problems], notes


def uncovered_fields(srcdir, kind, doc):
    """Fields of types.def (by JSON path) that DOC (plain json.loads data) never sets."""
    tables = Tables(srcdir)
    wanted, seen = set(), set()

    def want(node, path):
        if node["type"] == "object" and not node.get("raw"):
            for k, v in node.get("properties", {}).items():
                p = (path + "." if path else "") + k
                wanted.add(p)
                want(v, p)
            if "map" in node:
                wanted.add(path + "{}")
                want(node["map"], path + "{}")
        elif node["type"] == "array":
            wanted.add(path + "[]")
            want(node["items"], path + "[]")

    def have(node, value, path):
        if node["type"] == "object" and isinstance(value, dict) and not node.get("raw"):
            for k, v in value.items():
                if k in node.get("properties", {}):
                    p = (path + "." if path else "") + k
                    seen.add(p)
                    have(node["properties"][k], v, p)
                elif "map" in node:
                    seen.add(path + "{}")
                    have(node["map"], v, path + "{}")
        elif node["type"] == "array" and isinstance(value, list):
            for v in value:
                seen.add(path + "[]")
                have(node["items"], v, path + "[]")

    root = tables.type_node(ROOTS[kind])
    want(root, "")
    have(root, doc, "")
    return sorted(wanted - seen)
