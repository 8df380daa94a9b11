"""Seeded, deterministic mutations of valid OCI documents (differential.py).

A document is held as Python values that keep what json.loads would lose:
objects are lists of (key, value) pairs (so keys may repeat), and numbers
stay the text they were written as (Raw), so 1.0, 1e2 and -0 survive.
"""
import json
import re

DELETE = object()


class Raw:
    """A piece of JSON text written out as is (bytes)."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text.encode() if isinstance(text, str) else text


class Obj(list):
    """A JSON object as (key, value) pairs, in order, repeats allowed."""


def emit(v, memo=None):
    """JSON text (bytes) of V.  MEMO maps id() of nodes that stay alive (the
    base document's) to (node, text), so a mutation, which shares all but
    one path with its base, is written out quickly."""
    if memo is not None and id(v) in memo and memo[id(v)][0] is v:
        return memo[id(v)][1]
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, Obj):
        return b"{" + b",".join(emit(k) + b":" + emit(x, memo) for k, x in v) + b"}"
    if isinstance(v, list):
        return b"[" + b",".join(emit(x, memo) for x in v) + b"]"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False).encode("utf-8")
    return json.dumps(v).encode()


def emit_memo(doc):
    memo = {}
    for _path, v in walk(doc):
        if isinstance(v, list):
            memo[id(v)] = (v, emit(v))
    return memo


class Document:
    @staticmethod
    def parse(data):
        return json.loads(data.decode("utf-8"), object_pairs_hook=Obj,
                          parse_int=Raw, parse_float=Raw, parse_constant=Raw)


def category(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, Raw):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, Obj):
        return "object"
    return "array"


def is_integer(v):
    return isinstance(v, Raw) and re.fullmatch(rb"-?[0-9]+", v.text) is not None


def render_path(path):
    out = ""
    for step in path:
        if step[0] == "i":
            out += "[%d]" % step[1]
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", step[2]) and "." not in step[2]:
            out += ("." if out else "") + step[2]
        else:
            out += "[%s]" % json.dumps(step[2])
    return out or "(root)"


def walk(v, path=()):
    """(path, value) of every node; a path step is ("k", index, key) or ("i", index)."""
    yield path, v
    if isinstance(v, Obj):
        for i, (k, x) in enumerate(v):
            yield from walk(x, path + (("k", i, k),))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from walk(x, path + (("i", i),))


def update(node, path, fn):
    """A copy of NODE with FN applied at PATH (copying only along the path)."""
    if not path:
        return fn(node)
    step, rest = path[0], path[1:]
    new = Obj(node) if isinstance(node, Obj) else list(node)
    i = step[1]
    old = new[i][1] if step[0] == "k" else new[i]
    r = update(old, rest, fn)
    if r is DELETE:
        del new[i]
    elif step[0] == "k":
        new[i] = (step[2], r)
    else:
        new[i] = r
    return new


def value_at(node, keys):
    for k in keys:
        if not isinstance(node, Obj):
            return None
        found = [x for kk, x in node if kk == k]
        if not found:
            return None
        node = found[-1]
    return node


def path_of(node, keys):
    """The walk() path of the last member named by KEYS, or None."""
    path = ()
    for k in keys:
        if not isinstance(node, Obj):
            return None
        idx = [i for i, (kk, _) in enumerate(node) if kk == k]
        if not idx:
            return None
        path += (("k", idx[-1], k),)
        node = node[idx[-1]][1]
    return path


# ---- what to put where ----

TYPE_SAMPLES = [None, True, Raw("0"), Raw("1.5"), "x", [], Obj()]


def _int_edges():
    bounds = [(-2**31, 2**31 - 1), (-2**63, 2**63 - 1), (0, 2**8 - 1), (0, 2**16 - 1),
              (0, 2**32 - 1), (0, 2**64 - 1), (0, 511), (1, 2**63 - 1)]
    edges = []
    for lo, hi in bounds:
        edges += [lo - 1, lo, hi, hi + 1]
    edges += [2**64, -2**63 - 1, 10**30, -10**30, 2**128]
    texts = []
    for e in edges:
        if str(e) not in texts:
            texts.append(str(e))
    return texts + ["-0"]


INT_EDGES = _int_edges()
NON_INTEGERS = ["1E2", "0.0", "-1.5", "1e400", "0e0", "100.000", "18446744073709551615.0",
                "9223372036854775807e0", "-0.0", "1e-2"]


def wrong_for(v):
    """A value of another type than V."""
    for s in ("x", Raw("1"), Obj(), None):
        if category(s) != category(v):
            return s
    return None


def deep_arrays(levels):
    return Raw("[" * levels + "]" * levels)


def deep_objects(levels):
    return Raw('{"a":' * levels + "1" + "}" * levels)


def depth_of(path):
    """How many containers enclose a value at PATH (the root object is 1)."""
    return len(path) + 1


# ---- the generators: each yields (category, description, new document) ----

def wrong_types(path, v):
    for s in TYPE_SAMPLES:
        if category(s) != category(v):
            yield "wrong type", "= %s" % emit(s).decode(), s


def deletions(path, v):
    if path and path[-1][0] == "k":
        yield "deleted member", "deleted", DELETE


def integer_edges(path, v, rng):
    """Every integer boundary, and a seeded few of the numbers that are not
    integers (or are written as such but are not, for draft-04)."""
    if is_integer(v):
        for t in INT_EDGES + ["1.0", "1e2"] + rng.sample(NON_INTEGERS, 3):
            if t.encode() != v.text:
                yield "integer boundary", "= %s" % t, Raw(t)


# Strings: the pattern edge cases (a final newline is allowed by "$" in
# Python's re.search, two are not), emptiness, case, NUL; then a seeded
# choice of more.
STRING_CORE = [lambda v: v + "\n", lambda v: v + "\n\n", lambda v: "", lambda v: v.lower(),
               lambda v: v + "\x00"]
STRING_MORE = [lambda v: "\n", lambda v: "\x00", lambda v: v.upper(), lambda v: " " + v,
               lambda v: v + " ", lambda v: v + "X", lambda v: v[:-1], lambda v: "\r",
               lambda v: "\n" + v, lambda v: v + "\t", lambda v: v + "\u00e9",
               lambda v: "\u00e9" + v, lambda v: v + "\r\n"]


def string_edges(path, v, rng, thorough):
    if not isinstance(v, str):
        return
    cands = [f(v) for f in STRING_CORE]
    cands += [f(v) for f in rng.sample(STRING_MORE, 2 if thorough else 1)]
    seen = set()
    for c in cands:
        if c != v and c not in seen:
            seen.add(c)
            yield "string edge", "= %s" % json.dumps(c), c


def array_edges(path, v):
    if not isinstance(v, list) or isinstance(v, Obj):
        return
    yield "array edge", "= []", []
    if v:
        first = v[0]
        yield "array edge", "+ duplicate of item 0", v + [first]
        yield "array edge", "+ null item", v + [None]
        yield "array edge", "+ wrong item at the end", v + [wrong_for(first)]
        yield "array edge", "+ wrong item at the start", [wrong_for(first)] + v
        if isinstance(first, Obj):
            yield "array edge", "+ {} item", v + [Obj()]
    else:
        for s in ("x", Raw("1"), Obj()):
            yield "array edge", "= [%s]" % emit(s).decode(), [s]


# Unknown members (ignored) and keys that mapStringString's ".{1,}" does
# not match (so their values are not typed): the first four always, then a
# seeded choice.
ODD_MEMBERS = [("xUnknownProperty", Raw("1")), ("", Raw("1")), ("\n", Raw("1")), ("\n", "s"),
               ("xUnknownObject", Obj([("deep", deep_arrays(20))])), ("", "s"), ("\n\n", Obj()),
               ("\t", Raw("1")), (" ", Raw("1")), ("\u00e9", Raw("1")), ("\x00", "s"),
               ("a\x00", Obj()), ("x", "y"), ("x", Obj([("name", "n")]))]


def object_edges(path, v, rng):
    if not isinstance(v, Obj):
        return
    for k, x in ODD_MEMBERS[:4] + rng.sample(ODD_MEMBERS[4:], 4):
        yield "odd member", "+ %s: %s" % (json.dumps(k), emit(x).decode()), Obj(v + [(k, x)])


def duplicate_keys(path, v, rng, thorough):
    if not isinstance(v, Obj) or not v:
        return
    picks = list(range(len(v))) if thorough else [rng.randrange(len(v))]
    for i in picks:
        k, x = v[i]
        wrong = wrong_for(x)
        kj = json.dumps(k)
        yield "duplicate key", "%s repeated, wrong value first" % kj, Obj([(k, wrong)] + v)
        yield "duplicate key", "%s repeated, wrong value last" % kj, Obj(v + [(k, wrong)])
        if i == picks[0]:
            yield "duplicate key", "%s repeated with the same value" % kj, Obj(v + [(k, x)])


def shape(path):
    """PATH with array indices left out: the nodes one schema applies to."""
    return tuple(("i",) if step[0] == "i" else ("k", step[2]) for step in path)


def node_mutations(doc, rng, thorough):
    seen = {}
    for path, v in walk(doc):
        # Items of one array share a schema: the first two stand for all (two,
        # since a schema's "items": [X] constrains the first item only).
        seen[shape(path)] = seen.get(shape(path), 0) + 1
        if seen[shape(path)] > 2:
            continue
        gens = [wrong_types(path, v), deletions(path, v), duplicate_keys(path, v, rng, thorough)]
        if thorough:
            gens += [integer_edges(path, v, rng), string_edges(path, v, rng, True),
                     array_edges(path, v), object_edges(path, v, rng)]
        else:
            gens += [string_edges(path, v, rng, False)]
        for gen in gens:
            for cat, what, new in gen:
                yield cat, "%s %s" % (render_path(path), what), \
                    update(doc, path, lambda _old, new=new: new)


# Objects that hold anything (windows.credentialSpec), maps with unconstrained
# keys, and typed objects: where deep values are put.
DEEP_TARGETS = [("windows", "credentialSpec"), ("annotations",), ("linux",), ()]


def nesting(doc):
    for keys in DEEP_TARGETS:
        path = path_of(doc, keys)
        if path is None or not isinstance(value_at(doc, keys), Obj):
            continue
        for total in (999, 1000, 1001, 1500):
            levels = total - depth_of(path)
            for key in ("xDeep", ""):
                for deep in (deep_arrays(levels), deep_objects(levels)):
                    new = update(doc, path, lambda o, key=key, deep=deep: Obj(o + [(key, deep)]))
                    yield "nesting", "%s + %s: value nested %d deep in all" % (
                        render_path(path), json.dumps(key), total), new
    for k, _ in doc[:3]:
        for total in (1000, 1001):
            new = Obj(doc + [(k, deep_arrays(total - 1))])
            yield "nesting", "%s = arrays nested %d deep in all" % (k, total), new


EXTRA_VALUES = [
    b"NaN", b"Infinity", b"-Infinity", b"1" * 5000, b"-" + b"9" * 400, b"1e400", b"-0.0",
    b"1E-400", b'"\\u0000"', b'"\\ud83d\\ude00"', b'"\\ud800"', b'"\\udc00"',
    b'"\\ud800\\u0041"', b'"\\udbff\\udfff"', b'"\x01"', b'"\x7f"', b'"\xc0\x80"',
    b'"\xed\xa0\x80"', b'"\xf4\x90\x80\x80"', b'"\xe2\x82"', b'"\xff"', b'"\x80"',
    b'"\xf0\x9f\x98\x80"', b'"\\/\\b\\f\\n\\r\\t"', b'"\\x"', b'"\\u12"', b"01", b"+1",
    b".5", b"1.", b"tru", b"nul", b"[1,]", b"{,}", b"'x'", b'"a"  ', b"\t[\r\n]",
]


def syntax(kind, doc):
    text = emit(doc)
    variants = [
        ("truncated to half", text[:len(text) // 2]), ("last byte removed", text[:-1]),
        ("first byte only", text[:1]), ("empty", b""), ("blank", b" \n"),
        ("trailing x", text + b"x"), ("trailing {}", text + b" {}"), ("trailing comma", text + b","),
        ("trailing blanks", text + b"\n\t \r\n"), ("leading blanks", b"\r\n\t " + text),
        ("UTF-8 BOM", b"\xef\xbb\xbf" + text), ("comment", b"/* c */" + text),
        ("trailing comma in the root object", text[:-1] + b",}"),
        ("top-level []", b"[]"), ("top-level null", b"null"), ("top-level string", b'"x"'),
        ("top-level number", b"1"), ("top-level true", b"true"),
        ("pretty-printed", json.dumps(json.loads(text), indent="\t").encode()),
    ]
    for what, t in variants:
        yield "JSON syntax", what, t
    for value in EXTRA_VALUES:
        yield "JSON syntax", "+ xExtra: %r" % value, emit(Obj(doc + [("xExtra", Raw(value))]))
    first_string = next((p for p, v in walk(doc) if isinstance(v, str)), None)
    if first_string is not None:
        for value in (b'"\\ud800"', b'"\\udfff"', b'"a\\ud800b"', b'"\\ud83d\\ude00"',
                      b'"\xed\xa0\x80"', b'"\\u0000"'):
            new = update(doc, first_string, lambda _o, value=value: Raw(value))
            yield "JSON syntax", "%s = %r" % (render_path(first_string), value), emit(new)


def generate(kind, data, rng, thorough):
    doc = Document.parse(data)
    memo = emit_memo(doc)
    for cat, what, new in node_mutations(doc, rng, thorough):
        yield cat, what, emit(new, memo)
    if thorough:
        for cat, what, new in nesting(doc):
            yield cat, what, emit(new, memo)
        for cat, what, text in syntax(kind, doc):
            yield cat, what, text
