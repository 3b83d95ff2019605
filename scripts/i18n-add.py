#!/usr/bin/env python3
"""Add or replace messages in openiep's catalogs.

Usage: scripts/i18n-add.py keys.json

keys.json maps a language tag to the messages to set in that language:
    {"en": {"admin.title": "Administration"}, "es": {"admin.title": "Administración"}}
Every catalog is read, changed and written back in one step, in the same layout
(two-space indent, UTF-8, keys in their order with new ones at the end), so that
several people adding keys at once do not lose each other's changes. Every key
must be given for every language that has a catalog.
"""
import fcntl
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent / "internal" / "i18n" / "catalog"
new = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
tags = sorted(p.stem for p in root.glob("*.json"))
keys = {k for m in new.values() for k in m}
def documents_only(tag):
    """A catalog of the documents' words only ("scope": "documents") may leave keys out."""
    return json.loads((root / f"{tag}.json").read_text(encoding="utf-8")).get("scope") == "documents"
for tag in tags:
    missing = keys - set(new.get(tag, {}))
    if missing and not documents_only(tag):
        sys.exit(f"{tag}: no text for {sorted(missing)}")
# One lock for all catalogs, so that two people adding keys at the same moment take turns.
lock = open(root / ".lock", "w")
fcntl.flock(lock, fcntl.LOCK_EX)
for tag in tags:
    path = root / f"{tag}.json"
    cat = json.loads(path.read_text(encoding="utf-8"))
    cat["messages"].update(new.get(tag, {}))
    path.write_text(json.dumps(cat, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{tag}: {len(new.get(tag, {}))} messages set, {len(cat['messages'])} in all")
