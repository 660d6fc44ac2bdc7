#!/usr/bin/env python3
"""Rewrites EXPECTED_SCHEMA in tests/it/schema.rs from what the schema test reports.

Run after a migration that is meant to change the schema:
    cargo test --test it schema 2>&1 | scripts/update-schema-list.py
"""
import re
import sys

report = sys.stdin.read()
missing = re.search(r"missing \[(.*?)\]", report)
extra = re.search(r"extra \[(.*?)\]", report)
if not missing or not extra:
    sys.exit("no schema difference reported")
path = "tests/it/schema.rs"
source = open(path).read()
start = source.index("const EXPECTED_SCHEMA: &[&str] = &[")
end = source.index("];", start)
current = set(re.findall(r'"([a-z0-9_]+\.[a-z0-9_]+)"', source[start:end]))
current -= set(re.findall(r'"([^"]+)"', missing.group(1)))
current |= set(re.findall(r'"([^"]+)"', extra.group(1)))
body = "".join(f'    "{entry}",\n' for entry in sorted(current))
source = source[:start] + "const EXPECTED_SCHEMA: &[&str] = &[\n" + body + source[end:]
open(path, "w").write(source)
print(f"EXPECTED_SCHEMA now lists {len(current)} columns")
