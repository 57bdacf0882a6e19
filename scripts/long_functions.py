#!/usr/bin/env python3
"""Lists the functions longer than a limit (70 lines unless --limit says otherwise) in the given
folders (default: ledger services clients common bench), longest first, as
"LINES<TAB>PATH:LINE<TAB>SIGNATURE".

It reads clang-formatted C++ by its layout rather than parsing it: a definition is a signature
ending in "{" whose body closes with a "}" at the indent its first line had. Lambdas, blocks and
types are skipped; a signature that wraps over several lines is counted from its first line.
Universal Ctags (ctags --fields=+ne) gives the same list today.

  ./scripts/long_functions.py                 # the production code
  ./scripts/long_functions.py --limit 60 tests
"""
import argparse
import os
import re
import sys

NOT_A_DEFINITION = re.compile(
    r"^\s*(namespace|class|struct|enum|union|if|for|while|switch|else|do|case|default|try|catch"
    r"|\}|return|extern)\b"  # blocks, types and statements
    r"|=\s*\{?$|^\s*[\w:<>, ]+\s*=\s*"  # initialisers
    r"|\[.*\]\s*\(.*\)\s*(mutable\s*)?(->\s*[\w:<>]+\s*)?\{$")  # lambdas


def signature_start(lines, i):
    """The first line of the signature that ends on line i."""
    start = i
    while start > 0:
        before = lines[start - 1]
        if (not before.strip() or before.rstrip().endswith((";", "{", "}", ":"))
                or before.lstrip().startswith(("//", "#"))):
            break
        start -= 1
    return start


def long_functions(path, limit):
    with open(path, encoding="utf-8") as source:
        lines = source.read().split("\n")
    for i, line in enumerate(lines):
        if not line.endswith("{") or NOT_A_DEFINITION.search(line):
            continue
        start = signature_start(lines, i)
        first = lines[start]
        if first.count(")") > first.count("(") or NOT_A_DEFINITION.search(first):
            continue  # the tail of "if (init; condition) {", or a statement
        signature = " ".join(part.strip() for part in lines[start:i + 1])
        if "(" not in signature:
            continue
        close = " " * (len(first) - len(first.lstrip())) + "}"
        for j in range(i + 1, len(lines)):
            if lines[j] == close or lines[j].startswith((close + " ", close + ";")):
                if j - start + 1 > limit:
                    yield j - start + 1, f"{path}:{start + 1}", signature[:100]
                break


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=70)
    parser.add_argument("folders", nargs="*",
                        default=["ledger", "services", "clients", "common", "bench"])
    args = parser.parse_args()
    found = []
    for folder in args.folders:
        for directory, _, names in os.walk(folder):
            for name in sorted(names):
                if name.endswith((".cc", ".h")):
                    found.extend(long_functions(os.path.join(directory, name), args.limit))
    for length, where, signature in sorted(found, reverse=True):
        print(f"{length}\t{where}\t{signature}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
