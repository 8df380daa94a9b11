/* libocispec: the exact error messages (schema errors name the JSON path,
 * syntax errors the line and column), integer bounds as stored, has_
 * flags, [] against absent arrays, duplicate keys, unknown members, maps,
 * raw objects, serialization, comparison, and freeing documents that
 * failed half way (run under ASan/LSan: every allocation must be freed). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "tap.h"

/* Parse TEXT as TYPE under DOCNAME; on failure ok() compares the message. */
static void
expect_error (const struct oci_type *type, const char *docname, const char *text, size_t len,
              const char *want)
{
  struct hako_error err = HAKO_ERROR_INIT;
  void *obj = oci_parse (type, text, len, docname, &err);
  bool same = obj == NULL && err.msg != NULL && strcmp (err.msg, want) == 0;

  ok (same, "error: %s", want);
  if (!same)
    diag ("got:  %s", obj ? "(parsed)" : err.msg);
  oci_free (type, obj);
  hako_error_clear (&err);
}

static void
doc_error (const struct oci_type *type, const char *docname, const char *text, const char *want)
{
  expect_error (type, docname, text, strlen (text), want);
}

static void
config_error (const char *text, const char *want)
{
  doc_error (&oci_config_type, "config.json", text, want);
}

static struct oci_config *
parse_config (const char *text)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_config *c = oci_config_parse (text, strlen (text), &err);

  if (c == NULL)
    diag ("unexpected error: %s", err.msg);
  hako_error_clear (&err);
  return c;
}

static void
test_schema_errors (void)
{
  static const struct
  {
    const char *doc, *want;
  } cases[] = {
    { "{\"ociVersion\": \"1.3.0\", \"linux\": {\"resources\": {\"memory\": {\"limit\": \"1g\"}}}}",
      "config.json: linux.resources.memory.limit: expected integer, got string \"1g\"" },
    { "{}", "config.json: ociVersion: required field is missing" },
    { "[]", "config.json: expected object, got array" },
    { "{\"ociVersion\": null}", "config.json: ociVersion: expected string, got null" },
    { "{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"terminal\": 1}}",
      "config.json: process.terminal: expected boolean, got number 1" },
    { "{\"ociVersion\": \"1\", \"process\": {}}",
      "config.json: process.cwd: required field is missing" },
    { "{\"ociVersion\": \"1\", \"linux\": {\"rootfsPropagation\": \"rslave\"}}",
      "config.json: linux.rootfsPropagation: invalid value string \"rslave\" (allowed: private, "
      "shared, slave, unbindable)" },
    { "{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"rlimits\": [{\"type\": "
      "\"RLIMIT_nofile\", \"hard\": 1, \"soft\": 1}]}}",
      "config.json: process.rlimits[0].type: string \"RLIMIT_nofile\" does not match "
      "^RLIMIT_[A-Z]+$" },
    { "{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", "
      "\"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL\"}, {\"names\": [], "
      "\"action\": \"SCMP_ACT_KILL\"}]}}}",
      "config.json: linux.seccomp.syscalls[1].names: must have at least one item" },
    { "{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"user\": {\"uid\": -1}}}",
      "config.json: process.user.uid: -1 is out of range [0, 4294967295]" },
    { "{\"ociVersion\": \"1\", \"linux\": {\"devices\": [{\"type\": \"c\", \"path\": \"/dev/x\", "
      "\"fileMode\": 65536}]}}",
      "config.json: linux.devices[0].fileMode: 65536 is out of range [0, 65535]" },
    { "{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"oomScoreAdj\": 1.0}}",
      "config.json: process.oomScoreAdj: expected integer, got number 1.0" },
    { "{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"oomScoreAdj\": 1e2}}",
      "config.json: process.oomScoreAdj: expected integer, got number 1e2" },
    { "{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"memory\": {\"limit\": "
      "18446744073709551616}}}}",
      "config.json: linux.resources.memory.limit: 18446744073709551616 is out of range "
      "[-9223372036854775808, 9223372036854775807]" },
    { "{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"memory\": {\"limit\": "
      "-123456789012345678901234567890123456789012345}}}}",
      "config.json: linux.resources.memory.limit: -123456789012345678901234567890123456789... "
      "is out of range [-9223372036854775808, 9223372036854775807]" },
    { "{\"ociVersion\": \"1\", \"hooks\": {\"prestart\": [{\"path\": \"/h\", \"timeout\": 0}]}}",
      "config.json: hooks.prestart[0].timeout: 0 is out of range [1, 9223372036854775807]" },
    { "{\"ociVersion\": \"1\", \"linux\": {\"netDevices\": {\"a\\nb\\\"\": 1}}}",
      "config.json: linux.netDevices[\"a\\x0ab\\x22\"]: expected object, got number 1" },
    { "{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"rdma\": {\"mlx\": {\"hcaHandles\": "
      "true}}}}}",
      "config.json: linux.resources.rdma[\"mlx\"].hcaHandles: expected integer, got boolean true" },
    { "{\"ociVersion\": \"1\", \"annotations\": {\"k\": [\"v\"]}}",
      "config.json: annotations[\"k\"]: expected string, got array" },
    { "{\"ociVersion\": \"1\", \"hostname\": \"a\\u0000b\"}",
      "config.json: hostname: string contains a NUL character" },
    { "{\"ociVersion\": \"1\", \"annotations\": {\"a\\u0000\": \"b\"}}",
      "config.json: annotations[\"a\"]: key contains a NUL character" },
    { "{\"ociVersion\": \"1\", \"linux\": {\"rootfsPropagation\": "
      "\"\\t0123456789012345678901234567890123456789\"}}",
      "config.json: linux.rootfsPropagation: invalid value string "
      "\"\\x09012345678901234567890123456789012345678...\" (allowed: private, shared, slave, "
      "unbindable)" },
    { "{\"ociVersion\": \"1\", \"windows\": {\"layerFolders\": [\"c\"], \"credentialSpec\": []}}",
      "config.json: windows.credentialSpec: expected object, got array" },
    { "{\"ociVersion\": \"1\", \"vm\": {\"kernel\": {\"path\": \"k\"}, \"hwConfig\": {\"iomems\": "
      "[{\"firstMFN\": 1}]}}}",
      "config.json: vm.hwConfig.iomems[0].nrMFNs: required field is missing" },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    config_error (cases[i].doc, cases[i].want);
  doc_error (&oci_state_type, "state.json",
             "{\"ociVersion\": \"1\", \"id\": \"a\", \"status\": \"paused\", \"bundle\": \"/b\"}",
             "state.json: status: invalid value string \"paused\" (allowed: creating, created, "
             "running, stopped)");
  doc_error (&oci_state_type, "state.json",
             "{\"ociVersion\": \"1\", \"id\": \"a\", \"status\": \"running\", \"bundle\": \"/b\", "
             "\"pid\": -1}",
             "state.json: pid: -1 is out of range [0, 9223372036854775807]");
  doc_error (&oci_features_type, "features.json",
             "{\"ociVersionMin\": \"1\", \"ociVersionMax\": \"1\", \"linux\": {\"capabilities\": "
             "[\"CAP_foo\"]}}",
             "features.json: linux.capabilities[0]: string \"CAP_foo\" does not match "
             "^CAP_[A-Z_]+$");
}

/* Syntax errors name the first character that cannot continue a JSON
 * text; lines count from 1, columns count characters from 1 (a tab is one). */
static void
test_syntax_positions (void)
{
  static const char twelve[] = "{\n"
                               "  \"ociVersion\": \"1.3.0\",\n"
                               "  \"process\": {\n"
                               "    \"cwd\": \"/\",\n"
                               "    \"args\": [\n"
                               "      \"sh\"\n"
                               "    ]\n"
                               "  },\n"
                               "  \"root\": {\n"
                               "    \"path\": \"rootfs\"\n"
                               "  }\n"
                               "    \"hostname\": \"h\"\n"
                               "}\n";
  static const char nul[] = "{\"a\": \"\0\"}";
  static const struct
  {
    const char *doc, *want;
    size_t len; /* 0: strlen */
  } cases[] = {
    { twelve, "config.json:12:5: invalid JSON: expected ',' or '}'", 0 },
    { "{\n  \"ociVersion\": \"1\"\n]", "config.json:3:1: invalid JSON: expected ',' or '}'", 0 },
    { "{\n  \"ociVersion\": \"1\"", "config.json:2:20: invalid JSON: unexpected end of input", 0 },
    { "{\n\t\"ociVersion\":\t@\n}", "config.json:2:16: invalid JSON: expected a value", 0 },
    { "{\"hostname\": \"\xc3\xa9\", x}", "config.json:1:19: invalid JSON: expected a string key",
      0 },
    { "{\r\n\"a\" 1}", "config.json:2:5: invalid JSON: expected ':' after an object key", 0 },
    { "", "config.json:1:1: invalid JSON: unexpected end of input", 0 },
    { "  \n ", "config.json:2:2: invalid JSON: unexpected end of input", 0 },
    { "{\"ociVersion\": \"1\"} x",
      "config.json:1:21: invalid JSON: unexpected text after the document", 0 },
    { "{\"ociVersion\": \"1\",}", "config.json:1:20: invalid JSON: expected a string key", 0 },
    { "{\"a\": [1, 2,]}", "config.json:1:13: invalid JSON: expected a value", 0 },
    { "{\"a\": tru}",
      "config.json:1:10: invalid JSON: invalid literal (true, false or null expected)", 0 },
    { "{\"a\": 01}", "config.json:1:8: invalid JSON: expected ',' or '}'", 0 },
    { "{\"a\": -x}", "config.json:1:8: invalid JSON: invalid number", 0 },
    { "{\"a\": 1.e5}", "config.json:1:9: invalid JSON: invalid number", 0 },
    { "{\"a\": \"x\\q\"}", "config.json:1:10: invalid JSON: invalid escape sequence", 0 },
    { "{\"a\": \"\\u12G4\"}", "config.json:1:12: invalid JSON: invalid \\u escape", 0 },
    { "{\"a\": \"x\ty\"}", "config.json:1:9: invalid JSON: control character in a string", 0 },
    { "{\"a\": \"\xc0\x80\"}", "config.json:1:8: invalid JSON: invalid UTF-8", 0 },
    { "{\"a\": \"\xed\xa0\x80\"}", "config.json:1:8: invalid JSON: invalid UTF-8", 0 },
    { "{\"a\": \"\xf4\x90\x80\x80\"}", "config.json:1:8: invalid JSON: invalid UTF-8", 0 },
    { "{\"a\": \"\\ud800\"}",
      "config.json:1:8: invalid JSON: unpaired UTF-16 surrogate in a \\u escape", 0 },
    { "{\"a\": \"x\\udc00\"}",
      "config.json:1:9: invalid JSON: unpaired UTF-16 surrogate in a \\u escape", 0 },
    { "\xef\xbb\xbf{}", "config.json:1:1: invalid JSON: expected a value", 0 },
    { "{\"a\": NaN}", "config.json:1:7: invalid JSON: expected a value", 0 },
    { "{\"a\": 1 /* c */}", "config.json:1:9: invalid JSON: expected ',' or '}'", 0 },
    { nul, "config.json:1:8: invalid JSON: control character in a string", sizeof nul - 1 },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    expect_error (&oci_config_type, "config.json", cases[i].doc,
                  cases[i].len ? cases[i].len : strlen (cases[i].doc), cases[i].want);
}

/* "{"x": " + N arrays + "}": the root object and N arrays nest N + 1 deep. */
static char *
nested (size_t arrays, const char *inner)
{
  char *s = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&s, &len);

  fputs ("{\"ociVersion\": \"1\", \"x\": ", f);
  for (size_t i = 0; i < arrays; i++)
    fputc ('[', f);
  fputs (inner, f);
  for (size_t i = 0; i < arrays; i++)
    fputc (']', f);
  fputc ('}', f);
  fclose (f);
  return s;
}

static void
test_nesting (void)
{
  char *ok_doc = nested (JSON_MAX_DEPTH - 1, "1"), *deep = nested (JSON_MAX_DEPTH, "1");
  struct oci_config *c = parse_config (ok_doc);

  ok (c != NULL, "nesting %d deep (under an unknown member) is accepted", JSON_MAX_DEPTH);
  oci_config_free (c);
  /* The offending '[' is the 1000th, after the 25 characters of the prefix. */
  config_error (deep, "config.json:1:1025: invalid JSON: nesting deeper than 1000 levels");
  free (ok_doc);
  free (deep);
}

static void
test_integer_bounds (void)
{
  struct oci_config *c = parse_config (
      "{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"oomScoreAdj\": -0,"
      " \"user\": {\"uid\": 4294967295, \"gid\": 0},"
      " \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"hard\": 18446744073709551615, \"soft\": 0}],"
      " \"ioPriority\": {\"class\": \"IOPRIO_CLASS_RT\", \"priority\": -2147483648},"
      " \"scheduler\": {\"policy\": \"SCHED_OTHER\", \"nice\": 2147483647}},"
      " \"linux\": {\"resources\": {\"memory\": {\"limit\": -9223372036854775808,"
      " \"reservation\": 9223372036854775807}, \"blockIO\": {\"weight\": 65535}},"
      " \"devices\": [{\"type\": \"b\", \"path\": \"/dev/b\", \"fileMode\": 511}]},"
      " \"freebsd\": {\"jail\": {\"enforceStatfs\": 255}}}");

  ok (c != NULL, "a config with every integer at a bound parses");
  if (c == NULL)
    return;
  ok (c->process->has_oom_score_adj && c->process->oom_score_adj == 0, "-0 is stored as 0");
  ok (c->process->user->uid == UINT32_MAX && c->process->user->has_gid
          && c->process->user->gid == 0,
      "uint32 bounds");
  ok (c->process->rlimits[0].hard == UINT64_MAX && c->process->rlimits[0].soft == 0,
      "uint64 bounds");
  ok (c->process->io_priority->priority == INT32_MIN && c->process->scheduler->nice == INT32_MAX,
      "int32 bounds");
  ok (c->linux->resources->memory->limit == INT64_MIN
          && c->linux->resources->memory->reservation == INT64_MAX,
      "int64 bounds");
  ok (c->linux->resources->block_io->weight == UINT16_MAX, "uint16 bound");
  ok (c->linux->devices[0].file_mode == 511, "FileMode bound");
  ok (c->freebsd->jail->enforce_statfs == UINT8_MAX, "uint8 bound");
  oci_config_free (c);
  config_error ("{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"ioPriority\": {\"class\": "
                "\"IOPRIO_CLASS_RT\", \"priority\": -2147483649}}}",
                "config.json: process.ioPriority.priority: -2147483649 is out of range "
                "[-2147483648, 2147483647]");
  config_error ("{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"memory\": {\"limit\": "
                "-9223372036854775809}}}}",
                "config.json: linux.resources.memory.limit: -9223372036854775809 is out of range "
                "[-9223372036854775808, 9223372036854775807]");
  config_error ("{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"rlimits\": [{\"type\": "
                "\"RLIMIT_CORE\", \"hard\": 18446744073709551616, \"soft\": 0}]}}",
                "config.json: process.rlimits[0].hard: 18446744073709551616 is out of range "
                "[0, 18446744073709551615]");
  config_error ("{\"ociVersion\": \"1\", \"freebsd\": {\"jail\": {\"enforceStatfs\": 256}}}",
                "config.json: freebsd.jail.enforceStatfs: 256 is out of range [0, 255]");
  config_error ("{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"blockIO\": {\"weight\": "
                "65536}}}}",
                "config.json: linux.resources.blockIO.weight: 65536 is out of range [0, 65535]");
}

static void
test_presence (void)
{
  struct oci_config *c = parse_config (
      "{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"terminal\": false, \"args\": [],"
      " \"env\": [\"A=1\"]}, \"mounts\": [], \"linux\": {\"maskedPaths\": []}}");
  char *text;

  ok (c != NULL, "a config with empty arrays parses");
  if (c == NULL)
    return;
  ok (c->process->has_terminal && !c->process->terminal, "terminal: false is present and false");
  ok (!c->process->has_no_new_privileges, "an absent boolean has has_ false");
  ok (!c->process->has_oom_score_adj, "an absent integer has has_ false");
  ok (c->process->args != NULL && c->process->args_len == 0, "[] is a non-NULL empty array");
  ok (c->process->env_len == 1 && strcmp (c->process->env[0], "A=1") == 0, "env holds A=1");
  ok (c->process->capabilities == NULL && c->root == NULL, "absent objects are NULL");
  ok (c->hostname == NULL, "an absent string is NULL");
  ok (c->linux->readonly_paths == NULL && c->linux->readonly_paths_len == 0,
      "an absent array is NULL");
  ok (c->mounts != NULL && c->mounts_len == 0, "mounts: [] is kept");
  ok (c->annotations.keys == NULL, "absent map: no keys array");
  text = oci_serialize (&oci_config_type, c, false, NULL, NULL);
  ok (text != NULL
          && strcmp (text, "{\"ociVersion\":\"1\",\"mounts\":[],\"process\":{\"terminal\":false,"
                           "\"args\":[],\"env\":[\"A=1\"],\"cwd\":\"/\"},\"linux\":"
                           "{\"maskedPaths\":[]}}")
                 == 0,
      "[] and false are written back, absent members are not");
  if (text && strstr (text, "\"mounts\":[]") == NULL)
    diag ("%s", text);
  free (text);
  oci_config_free (c);
}

static void
test_duplicates_and_unknown (void)
{
  struct oci_config *c = parse_config (
      "{\"ociVersion\": \"1\", \"hostname\": 7, \"hostname\": \"b\", \"xUnknown\": {\"a\": [1,"
      " {\"b\": null}]}, \"process\": {\"cwd\": \"/\", \"xFuture\": true},"
      " \"annotations\": {\"k\": 1, \"z\": \"first\", \"k\": \"2\"}}");

  ok (c != NULL, "duplicate keys (last wins) and unknown members parse");
  if (c == NULL)
    return;
  ok (strcmp (c->hostname, "b") == 0, "the last hostname wins, the invalid first one is ignored");
  ok (c->annotations.len == 2 && strcmp (c->annotations.keys[0], "z") == 0
          && strcmp (c->annotations.keys[1], "k") == 0
          && strcmp (oci_strmap_get (&c->annotations, "k"), "2") == 0,
      "a repeated map key keeps its last value, at its last place");
  oci_config_free (c);
  config_error ("{\"ociVersion\": \"1\", \"hostname\": \"a\", \"hostname\": 7}",
                "config.json: hostname: expected string, got number 7");
}

static void
test_maps (void)
{
  struct oci_config *c = parse_config (
      "{\"ociVersion\": \"1\", \"annotations\": {\"b\": \"1\", \"a\": \"\", \"\": 5, \"\\n\":"
      " [], \"\\n\\n\": \"kept\"}, \"linux\": {\"netDevices\": {\"eth0\": {\"name\": \"c0\"},"
      " \"eth1\": {}}, \"resources\": {\"rdma\": {\"mlx\": {\"hcaObjects\": 7}},"
      " \"unified\": {\"memory.high\": \"max\"}}, \"sysctl\": {}}}");

  ok (c != NULL, "a config with maps parses");
  if (c == NULL)
    return;
  ok (c->annotations.len == 3 && strcmp (c->annotations.keys[0], "b") == 0
          && strcmp (c->annotations.values[1], "") == 0
          && strcmp (oci_strmap_get (&c->annotations, "\n\n"), "kept") == 0
          && oci_strmap_get (&c->annotations, "") == NULL,
      "annotations keep order; keys \".{1,}\" does not match may hold any value, and are "
      "dropped unless strings");
  ok (c->linux->net_devices.len == 2 && strcmp (c->linux->net_devices.keys[1], "eth1") == 0
          && strcmp (c->linux->net_devices.values[0].name, "c0") == 0
          && c->linux->net_devices.values[1].name == NULL,
      "netDevices map values are typed objects");
  ok (c->linux->resources->rdma.len == 1 && c->linux->resources->rdma.values[0].has_hca_objects
          && c->linux->resources->rdma.values[0].hca_objects == 7
          && !c->linux->resources->rdma.values[0].has_hca_handles,
      "rdma map values carry has_ flags");
  ok (strcmp (oci_strmap_get (&c->linux->resources->unified, "memory.high"), "max") == 0,
      "unified is a string map");
  ok (c->linux->sysctl.keys != NULL && c->linux->sysctl.len == 0, "{} is an empty, present map");
  oci_config_free (c);
}

static const char raw_doc[]
    = "{\"ociVersion\":\"1\",\"windows\":{\"layerFolders\":[\"C:\\\\l\"],\"credentialSpec\":"
      "{\"a\":[1,-0.5,1.5e3,true,null,\"x\\u0000y\"],\"b\":{},\"b\":{\"c\":\"\\u00e9\"},"
      "\"d\":[]}}}";

static void
test_raw (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_config *c = parse_config (raw_doc), *again = NULL;
  const struct json_node *spec;
  size_t len = 0;
  char *text;

  ok (c != NULL, "a config with windows.credentialSpec parses");
  if (c == NULL)
    return;
  spec = c->windows->credential_spec;
  ok (spec->type == JSON_OBJECT && spec->u.object.len == 4, "the raw object keeps all members");
  ok (spec->u.object.values[0]->u.array.items[2]->type == JSON_NUMBER
          && strcmp (spec->u.object.values[0]->u.array.items[2]->u.str.text, "1.5e3") == 0,
      "numbers keep their text");
  ok (spec->u.object.values[0]->u.array.items[5]->u.str.len == 3,
      "strings keep their length (with a NUL)");
  text = oci_serialize (&oci_config_type, c, false, &len, &err);
  ok (text != NULL
          && strcmp (text, "{\"ociVersion\":\"1\",\"windows\":{\"layerFolders\":[\"C:\\\\l\"],"
                           "\"credentialSpec\":{\"a\":[1,-0.5,1.5e3,true,null,\"x\\u0000y\"],"
                           "\"b\":{},\"b\":{\"c\":\"\xc3\xa9\"},\"d\":[]}}}")
                 == 0,
      "the raw object is written back as it was read (escapes aside)");
  if (text && strstr (text, "1.5e3") == NULL)
    diag ("%s", text);
  if (text)
    again = oci_config_parse (text, len, &err);
  ok (again != NULL && oci_equal (&oci_config_type, c, again), "and reads back equal");
  free (text);
  oci_config_free (again);
  oci_config_free (c);
  hako_error_clear (&err);
}

/* A raw object may nest as deep as the parser allows, and is written back. */
static void
test_raw_deep (void)
{
  const size_t levels = JSON_MAX_DEPTH - 3; /* root, windows, credentialSpec */
  char *doc = NULL, *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&doc, &len);
  struct oci_config *c, *again = NULL;

  fputs ("{\"ociVersion\":\"1\",\"windows\":{\"layerFolders\":[\"l\"],\"credentialSpec\":{\"d\":",
         f);
  for (size_t i = 0; i < levels; i++)
    fputc ('[', f);
  for (size_t i = 0; i < levels; i++)
    fputc (']', f);
  fputs ("}}}", f);
  fclose (f);
  c = parse_config (doc);
  ok (c != NULL, "a credentialSpec nested %d deep in all parses", JSON_MAX_DEPTH);
  if (c)
    text = oci_serialize (&oci_config_type, c, true, &len, NULL);
  ok (text != NULL, "and is written out (pretty)");
  if (text)
    again = oci_config_parse (text, len, NULL);
  ok (again != NULL && oci_equal (&oci_config_type, c, again), "and reads back equal");
  oci_config_free (again);
  oci_config_free (c);
  free (text);
  free (doc);
}

static void
test_pretty (void)
{
  struct oci_config *c = parse_config (
      "{\"ociVersion\": \"1\", \"mounts\": [], \"process\": {\"cwd\": \"/\", \"args\": [\"a\","
      " \"b\"], \"user\": {\"uid\": 0}}, \"annotations\": {}}");
  char *text = c ? oci_serialize (&oci_config_type, c, true, NULL, NULL) : NULL;
  static const char want[] = "{\n"
                             "\t\"ociVersion\": \"1\",\n"
                             "\t\"mounts\": [],\n"
                             "\t\"process\": {\n"
                             "\t\t\"user\": {\n"
                             "\t\t\t\"uid\": 0\n"
                             "\t\t},\n"
                             "\t\t\"args\": [\n"
                             "\t\t\t\"a\",\n"
                             "\t\t\t\"b\"\n"
                             "\t\t],\n"
                             "\t\t\"cwd\": \"/\"\n"
                             "\t},\n"
                             "\t\"annotations\": {}\n"
                             "}\n";

  ok (text != NULL && strcmp (text, want) == 0, "pretty output: tabs, \"key\": value, {} and []");
  if (text && strcmp (text, want) != 0)
    diag ("%s", text);
  free (text);
  oci_config_free (c);
}

static void
test_equal (void)
{
  static const char doc[]
      = "{\"ociVersion\": \"1\", \"hostname\": \"h\", \"process\": {\"cwd\": \"/\", \"args\": "
        "[\"a\"],"
        " \"terminal\": false}, \"annotations\": {\"k\": \"v\"}, \"windows\": {\"layerFolders\":"
        " [\"l\"], \"credentialSpec\": {\"x\": 1}}}";
  static const struct
  {
    const char *from, *to, *what;
  } changes[] = {
    { "\"h\"", "\"i\"", "a string" },
    { "\"terminal\": false", "\"terminal\": true", "a boolean" },
    { ", \"terminal\": false", "", "a has_ flag" },
    { "[\"a\"]", "[\"a\", \"b\"]", "an array's length" },
    { "[\"a\"]", "[]", "[] against [\"a\"]" },
    { "\"v\"", "\"w\"", "a map value" },
    { "{\"x\": 1}", "{\"x\": 2}", "a raw object" },
  };
  struct oci_config *a = parse_config (doc), *b = parse_config (doc);

  ok (a && b && oci_equal (&oci_config_type, a, b), "two parses of one text are equal");
  for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++)
    {
      char *other = NULL, *at;
      struct oci_config *c;

      at = strstr (doc, changes[i].from);
      if (asprintf (&other, "%.*s%s%s", (int)(at - doc), doc, changes[i].to,
                    at + strlen (changes[i].from))
          < 0)
        abort ();
      c = parse_config (other);
      ok (c && !oci_equal (&oci_config_type, a, c) && !oci_equal (&oci_config_type, c, a),
          "a change in %s makes them differ", changes[i].what);
      oci_config_free (c);
      free (other);
    }
  oci_config_free (a);
  oci_config_free (b);
}

/* oci_from_json leaves what it filled before an error in the struct;
 * oci_free must release exactly that (LSan reports any leak). */
static void
test_partial_free (void)
{
  static const char *const docs[] = {
    "{\"ociVersion\": \"1\", \"hostname\": \"h\", \"mounts\": [{\"destination\": \"/a\","
    " \"options\": [\"ro\"]}, {\"destination\": \"/b\", \"options\": [\"rw\", 5]}]}",
    "{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"env\": [\"A=1\"], \"rlimits\":"
    " [{\"type\": \"RLIMIT_CORE\", \"hard\": 1, \"soft\": 1}]}, \"annotations\": {\"a\": \"b\"},"
    " \"freebsd\": {\"jail\": {\"vnet\": \"disable\"}}}",
    "{\"ociVersion\": \"1\", \"linux\": {\"netDevices\": {\"a\": {\"name\": \"x\"}, \"b\":"
    " {\"name\": 1}}}}",
    "{\"ociVersion\": \"1\", \"linux\": {\"sysctl\": {\"a\": \"1\", \"b\": 2}}}",
    "{\"ociVersion\": \"1\", \"windows\": {\"layerFolders\": [\"l\"], \"credentialSpec\": {\"a\":"
    " [1]}, \"devices\": [{\"id\": \"x\"}]}}",
    "{\"ociVersion\": \"1\", \"vm\": {\"kernel\": {\"path\": \"k\"}, \"hwConfig\": {\"iomems\":"
    " [{\"firstMFN\": 1, \"nrMFNs\": 1}, {\"firstMFN\": 2}, 7], \"irqs\": [1, -1]}}}",
  };

  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
    {
      struct hako_error err = HAKO_ERROR_INIT;
      struct json_node *tree = json_parse (docs[i], strlen (docs[i]), "config.json", &err);
      struct oci_config *c = calloc (1, sizeof *c);
      int r = tree ? oci_from_json (&oci_config_type, tree, c, "config.json", &err) : 0;

      ok (tree != NULL && r < 0 && c->oci_version != NULL,
          "document %zu fails after filling part of the struct: %s", i, err.msg);
      oci_config_free (c);
      json_free (tree);
      hako_error_clear (&err);
    }
}

static void
test_first_item_only (void)
{
  /* "items": [X] constrains only the first item of vm.hwConfig.iomems. */
  struct oci_config *c = parse_config (
      "{\"ociVersion\": \"1\", \"vm\": {\"kernel\": {\"path\": \"k\"}, \"hwConfig\": {\"iomems\":"
      " [{\"firstMFN\": 1, \"nrMFNs\": 2}, {\"firstMFN\": \"x\"}, 7]}}}");

  ok (c != NULL && c->vm->hw_config->iomems_len == 3 && c->vm->hw_config->iomems[0].nr_mfns == 2,
      "iomems: only item 0 is validated");
  oci_config_free (c);
}

static void
test_patterns (void)
{
  static const struct
  {
    const char *field, *value;
    bool valid;
  } cases[] = {
    { "memBwSchema", "MB:\\n", true }, { "memBwSchema", "MB:x\\n\\n", false },
    { "memBwSchema", "MB", false },    { "memBwSchema", "MB:0=20;1=70", true },
    { "closID", "\\n", true },         { "l3CacheSchema", "", true },
  };
  static const struct
  {
    const char *doc;
    bool valid;
  } docs[] = {
    { "\"devices\": [{\"type\": \"c\\n\", \"path\": \"/d\"}]", true },
    { "\"devices\": [{\"type\": \"cc\", \"path\": \"/d\"}]", false },
    { "\"devices\": [{\"type\": \"C\", \"path\": \"/d\"}]", false },
    { "\"resources\": {\"hugepageLimits\": [{\"pageSize\": \"1GB\\n\", \"limit\": 1}]}", true },
    { "\"resources\": {\"hugepageLimits\": [{\"pageSize\": \"0KB\", \"limit\": 1}]}", false },
    { "\"resources\": {\"hugepageLimits\": [{\"pageSize\": \"64kB\", \"limit\": 1}]}", false },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char *doc = NULL;
      struct oci_config *c;

      if (asprintf (&doc, "{\"ociVersion\": \"1\", \"linux\": {\"intelRdt\": {\"%s\": \"%s\"}}}",
                    cases[i].field, cases[i].value)
          < 0)
        abort ();
      c = oci_config_parse (doc, strlen (doc), NULL);
      ok ((c != NULL) == cases[i].valid, "intelRdt.%s \"%s\" is %s", cases[i].field, cases[i].value,
          cases[i].valid ? "valid" : "invalid");
      oci_config_free (c);
      free (doc);
    }
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
    {
      char *doc = NULL;
      struct oci_config *c;

      if (asprintf (&doc, "{\"ociVersion\": \"1\", \"linux\": {%s}}", docs[i].doc) < 0)
        abort ();
      c = oci_config_parse (doc, strlen (doc), NULL);
      ok ((c != NULL) == docs[i].valid, "linux: {%s} is %s", docs[i].doc,
          docs[i].valid ? "valid" : "invalid");
      oci_config_free (c);
      free (doc);
    }
}

static void
test_files (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  char path[] = "/tmp/hako-test-libocispec.XXXXXX";
  int fd = mkstemp (path);
  struct oci_config *c;
  static const char doc[] = "{\"ociVersion\": \"1\",\n \"hostname\": 1}";

  c = oci_config_parse_file ("/nonexistent/config.json", &err);
  ok (c == NULL && err.errnum == ENOENT
          && strcmp (err.msg, "open /nonexistent/config.json: No such file or directory") == 0,
      "a missing file: ENOENT, with the path");
  hako_error_clear (&err);
  if (fd < 0 || write (fd, doc, sizeof doc - 1) != (ssize_t)(sizeof doc - 1))
    abort ();
  close (fd);
  c = oci_parse_file (&oci_config_type, path, NULL, &err);
  ok (c == NULL && err.errnum == EINVAL && strncmp (err.msg, path, strlen (path)) == 0
          && strcmp (err.msg + strlen (path), ": hostname: expected string, got number 1") == 0,
      "without a document name, messages name the file");
  hako_error_clear (&err);
  c = oci_config_parse_file (path, &err);
  ok (c == NULL && strcmp (err.msg, "config.json: hostname: expected string, got number 1") == 0,
      "oci_config_parse_file calls it config.json");
  hako_error_clear (&err);
  unlink (path);
}

int
main (void)
{
  test_schema_errors ();
  test_syntax_positions ();
  test_nesting ();
  test_integer_bounds ();
  test_presence ();
  test_duplicates_and_unknown ();
  test_maps ();
  test_raw ();
  test_raw_deep ();
  test_pretty ();
  test_equal ();
  test_partial_free ();
  test_first_item_only ();
  test_patterns ();
  test_files ();
  return tap_done ();
}
