#!/usr/bin/env python3
"""Builds a benchmark's result object from pieces:

    assemble.py OUT.json key=str:text key.sub=num:12 key=json:'{"a":1}' key=file:piece.json ...

Dotted keys nest. Values: str: text, num: a number, json: inline JSON, file: a JSON file's content (missing file ->
null)."""
import json
import sys


def put(target, dotted, value):
    keys = dotted.split(".")
    for k in keys[:-1]:
        target = target.setdefault(k, {})
    target[keys[-1]] = value


def value_of(spec):
    kind, _, text = spec.partition(":")
    if kind == "str":
        return text
    if kind == "num":
        return float(text) if "." in text else int(text)
    if kind == "json":
        return json.loads(text)
    if kind == "file":
        try:
            with open(text) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None
    raise SystemExit(f"unknown value kind in {spec!r}")


def main():
    out, pieces = sys.argv[1], sys.argv[2:]
    result = {}
    for piece in pieces:
        key, _, spec = piece.partition("=")
        put(result, key, value_of(spec))
    with open(out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
