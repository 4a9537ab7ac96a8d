#!/usr/bin/env python3
"""Prints every term of a TOML codebook, one per line, for `rg -F -f` (the search floor).

usage: codebook_terms.py CODEBOOK.toml > terms.txt

Wildcards (`*`) are dropped, so `קשר*` becomes the literal prefix `קשר`.
"""
import sys, tomllib

def terms(rule):
    for key in ("any", "all", "near", "terms", "exclude"):
        v = rule.get(key)
        if isinstance(v, list):
            for t in v:
                if isinstance(t, str):
                    yield t
                elif isinstance(t, list):
                    yield from (x for x in t if isinstance(x, str))

def main():
    cb = tomllib.load(open(sys.argv[1], "rb"))
    seen = set()
    for code in cb.get("code", []):
        for t in list(terms(code)) + [t for r in code.get("rule", []) for t in terms(r)]:
            t = t.replace("*", "").strip()
            if t and t not in seen:
                seen.add(t)
                print(t)

if __name__ == "__main__":
    main()
