#!/usr/bin/env python3
# Checks an export of `unyo audit export DIR` with Python alone (no unyo needed).
# Usage: python3 verify.py [DIR]      (DIR defaults to the directory of this script)
# Exit 0: every chain link follows from the one before it, every exported row equals
# the digest of its newest link, the heads match. Exit 1: each problem on its own line.
# The canonical form of a row (doc/NOTES.md "Verifiable records" in unyo's sources):
#   b"unyo-row-v1\n" + TABLE + b"\n", then per column, in the order of the JSON object,
#   the first NCOL columns: NAME + b"\t" + VALUE + b"\n" where VALUE is
#   n (null) | i<decimal> (integer) | r<16 hex: IEEE-754 binary64, big-endian> (real)
#   | t<byte length>:<UTF-8 bytes> (text) | b<hex> (blob, exported as {"hex": ...})
#   digest = SHA-256(canonical form); hash = SHA-256(previous hash of the origin + digest),
#   the previous hash of an origin's first link being 32 zero bytes.
import hashlib
import json
import os
import struct
import sys


def enc(v):
    if v is None:
        return b"n"
    if isinstance(v, bool):
        return b"i%d" % int(v)
    if isinstance(v, int):
        return b"i%d" % v
    if isinstance(v, float):
        return b"r" + struct.pack(">d", v).hex().encode()
    if isinstance(v, dict):
        return b"b" + v["hex"].encode()
    b = v.encode("utf-8")
    return b"t%d:" % len(b) + b


def canonical(table, row, ncol):
    out = [b"unyo-row-v1\n", table.encode(), b"\n"]
    for name, v in list(row.items())[:ncol]:
        out += [name.encode(), b"\t", enc(v), b"\n"]
    return b"".join(out)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    problems = []
    rows = {}
    tdir = os.path.join(d, "tables")
    for f in sorted(os.listdir(tdir)):
        if not f.endswith(".jsonl"):
            continue
        with open(os.path.join(tdir, f), encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                r = json.loads(line)
                rows[(f[:-6], r["id"])] = (r, "tables/%s:%d" % (f, n))
    prev, newest, links = {}, {}, 0
    with open(os.path.join(d, "chain.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            ln = json.loads(line)
            links += 1
            p = prev.get(ln["origin"], bytes(32))
            h = hashlib.sha256(p + bytes.fromhex(ln["digest"])).hexdigest()
            if h != ln["hash"]:
                problems.append("chain broken at link %d (%s %s)" % (ln["seq"], ln["table"], ln["row_id"]))
            prev[ln["origin"]] = bytes.fromhex(ln["hash"])
            newest[(ln["table"], ln["row_id"])] = ln
    with open(os.path.join(d, "heads.json"), encoding="utf-8") as fh:
        for hd in json.load(fh):
            if prev.get(hd["origin"], bytes(32)).hex() != hd["hash"]:
                problems.append("head of origin %s does not match the chain" % hd["origin"])
    for key, ln in newest.items():
        if key not in rows:
            problems.append("%s row %s: in the chain, missing from the export" % key)
            continue
        r, where = rows[key]
        if hashlib.sha256(canonical(key[0], r, ln["ncol"])).hexdigest() != ln["digest"]:
            problems.append("%s: row %s differs from its chained digest (link %d)" % (where, key[1], ln["seq"]))
    for key, (r, where) in rows.items():
        if key not in newest:
            problems.append("%s: row %s is not in the chain" % (where, key[1]))
    for p in problems:
        print(p)
    print("%d links, %d rows checked: %s" % (links, len(rows), "%d problems" % len(problems) if problems else "OK"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
