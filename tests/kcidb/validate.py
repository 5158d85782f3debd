#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Checks a KCIDB report of uffdwp-vmtest --kcidb as KCIDB would take it.

validate.py REPORT [--tests N] [--status PATH=STATUS]...
Validates REPORT against tests/kcidb/schema-v4.json (Draft 7 with format checking, as
kcidb-io does), then what the schema cannot say: the version is exactly 4.5, ids are
unique per kind, every build names a checkout and every test a build of the report,
every id starts with the report's origin and a colon. --tests N: exactly N tests;
--status uffdwp.X@KERNEL=FAIL: that test's status. Prints one line; exit 0 when valid.
"""
import json
import os
import sys

import jsonschema

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema-v4.json")


def problems(report, want_tests, want_status):
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    for error in sorted(validator.iter_errors(report), key=lambda e: list(e.path)):
        yield "schema: %s: %s" % ("/".join(map(str, error.path)) or "(top)", error.message)
    if report.get("version") != {"major": 4, "minor": 5}:
        yield "version is %s, not 4.5" % report.get("version")
    ids = {}
    for kind in ("checkouts", "builds", "tests"):
        ids[kind] = [o.get("id") for o in report.get(kind, [])]
        if len(set(ids[kind])) != len(ids[kind]):
            yield "%s: duplicate ids" % kind
        for o in report.get(kind, []):
            if not str(o.get("id", "")).startswith(o.get("origin", "?") + ":"):
                yield "%s: id %s does not start with origin %s:" % (kind, o.get("id"), o.get("origin"))
    for b in report.get("builds", []):
        if b.get("checkout_id") not in ids["checkouts"]:
            yield "build %s: checkout %s is not in the report" % (b.get("id"), b.get("checkout_id"))
    for t in report.get("tests", []):
        if t.get("build_id") not in ids["builds"]:
            yield "test %s: build %s is not in the report" % (t.get("id"), t.get("build_id"))
    tests = report.get("tests", [])
    if want_tests is not None and len(tests) != want_tests:
        yield "%d tests, expected %d" % (len(tests), want_tests)
    for key, status in want_status:
        got = [t.get("status") for t in tests
               if "%s@%s" % (t.get("path"), t.get("misc", {}).get("kernel")) == key]
        if got != [status]:
            yield "%s: status %s, expected %s" % (key, got or "absent", status)


def main(argv):
    path, want_tests, want_status = None, None, []
    args = iter(argv[1:])
    for arg in args:
        if arg == "--tests":
            want_tests = int(next(args))
        elif arg == "--status":
            want_status.append(tuple(next(args).rsplit("=", 1)))
        else:
            path = arg
    try:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError, TypeError) as e:
        print("%s: cannot read a JSON report: %s" % (path, e))
        return 2
    found = list(problems(report, want_tests, want_status))
    if found:
        print("%s: %d problem(s): %s" % (path, len(found), "; ".join(found[:5])))
        return 1
    print("%s: valid KCIDB v4.5: %d checkouts, %d builds, %d tests" % (
        path, len(report.get("checkouts", [])), len(report.get("builds", [])),
        len(report.get("tests", []))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
