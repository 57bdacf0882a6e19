#!/usr/bin/env python3
"""Checks a Timeledger journal export without Timeledger: Python 3 standard library only.

    timeledger export journal hcct > hcct.jsonl
    python3 verify_export.py hcct.jsonl [--digest hcct.digest]

From each fact's canonical bytes (fact_hex) alone it recomputes, as docs/ARCHITECTURE.md
("The journal") defines them:

  - the leaf hash of each fact, SHA-256(0x00 || fact)                     (RFC 6962)
  - the chain: chain_hash(p) = SHA-256(chain_hash(p-1) || leaf_hash(p)), from 32 zero bytes
  - each fact's header (version 1 or 2, type, bank, position) against the line's fields
  - the entries' own chain: hash = SHA-256(previous entry's hash || canonical entry bytes),
    with dense seqs from 1
  - the Merkle tree hash over all the leaves (RFC 6962), against the export's first line, and
    against a digest file saved earlier (`timeledger audit digest --out`), if one is given: its
    root must be the root of the export's first tree_size facts.

Exit status 0 if everything verifies; 1, naming the first difference, otherwise; 2 for usage.
"""

import argparse
import hashlib
import json
import sys

FACT_TYPES = {1: "bank_created", 2: "account_opened", 3: "account_status", 4: "policy_set",
              5: "entry", 6: "pending_created", 7: "pending_resolved", 8: "catalogue_item",
              9: "qualification_awarded", 10: "offer_redeemed", 16: "card_set",
              17: "pin_set", 18: "language_set"}
ZERO = bytes(32)


class Bad(Exception):
    """The export does not verify."""


def sha256(data):
    return hashlib.sha256(data).digest()


def node(left, right):
    return sha256(b"\x01" + left + right)


class Reader:
    """Canonical bytes: u8, big-endian u64, LEB128-length-prefixed strings."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, n):
        if self.at + n > len(self.data):
            raise Bad("a fact ends too early")
        out = self.data[self.at:self.at + n]
        self.at += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u64(self):
        return int.from_bytes(self.take(8), "big")

    def string(self):
        length, shift = 0, 0
        while True:
            byte = self.u8()
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return self.take(length)
            if shift > 63:
                raise Bad("a length is malformed")


class Tree:
    """An append-only RFC 6962 Merkle tree kept as its perfect-subtree peaks."""

    def __init__(self):
        self.peaks, self.size = [], 0  # [(hash, leaves)], largest first

    def append(self, leaf_hash):
        hash_, leaves = leaf_hash, 1
        while self.peaks and self.peaks[-1][1] == leaves:
            left, _ = self.peaks.pop()
            hash_, leaves = node(left, hash_), leaves * 2
        self.peaks.append((hash_, leaves))
        self.size += 1

    def root(self):
        if not self.peaks:
            return sha256(b"")
        root = self.peaks[-1][0]
        for left, _ in reversed(self.peaks[:-1]):
            root = node(left, root)
        return root


def type_matches(type_, name):
    """Whether a fact's type number goes with the type named on its line. The journal grows new
    types of fact, so a number not in FACT_TYPES may have any name but those of FACT_TYPES: what
    is checked of every fact (its hashes, bank and position) does not depend on its type."""
    if type_ in FACT_TYPES:
        return FACT_TYPES[type_] == name
    return type_ >= 1 and name not in FACT_TYPES.values()


def check_line(line, position, bank_id, chain, entries):
    """Checks one fact; returns (leaf hash, chain hash, entry state)."""
    fact = bytes.fromhex(line["fact_hex"])
    leaf = sha256(b"\x00" + fact)
    if line["leaf_hash"] != leaf.hex():
        raise Bad("the leaf hash is not SHA-256(0x00 || fact)")
    chain = sha256(chain + leaf)
    if line["chain_hash"] != chain.hex():
        raise Bad("the chain hash does not follow from the facts before it")
    reader = Reader(fact)
    version, type_ = reader.u8(), reader.u8()
    fact_bank, fact_position = reader.string().decode(), reader.u64()
    reader.u64()  # at, microseconds
    reader.string()  # principal
    if version not in (1, 2) or not type_matches(type_, line["type"]):
        raise Bad("the fact's version or type differs from the line")
    if fact_bank != bank_id or line["bank_id"] != bank_id or fact_position != position:
        raise Bad("the fact belongs to another bank or position")
    if type_ == 5:  # an entry: canonical entry bytes || its 32-byte hash
        entry = reader.string()
        canonical, entry_hash = entry[:-32], entry[-32:]
        last_hash, last_seq = entries
        entry_reader = Reader(canonical)
        if entry_reader.u8() not in (1, 2, 3) or entry_reader.string().decode() != bank_id:
            raise Bad("the entry is malformed or of another bank")
        seq = entry_reader.u64()
        if seq != last_seq + 1 or str(seq) != str(line["fact"].get("seq")):
            raise Bad(f"entry seq {seq} does not follow seq {last_seq}")
        if sha256(last_hash + canonical) != entry_hash:
            raise Bad(f"entry seq {seq}'s hash does not chain to the entry before it")
        entries = (entry_hash, seq)
    return leaf, chain, entries


def verify(lines, digest):
    header = json.loads(lines[0])
    if header.get("format") != "timeledger-journal/1":
        raise Bad("the first line is not a timeledger-journal/1 header")
    bank_id, size = header["bank_id"], header["tree_size"]
    if digest is not None:
        if digest.get("format") != "timeledger-digest/1" or digest["bank_id"] != bank_id:
            raise Bad("the digest file is not a digest of this bank")
        if digest["tree_size"] > size:
            raise Bad(f"the digest covers {digest['tree_size']} facts, the export only {size}: "
                      "facts were lost, or the export is older than the digest")
    tree, chain, entries, digest_root = Tree(), ZERO, (ZERO, 0), None
    facts = lines[1:]
    if len(facts) != size:
        raise Bad(f"the export holds {len(facts)} facts, its header says {size}")
    for position, text in enumerate(facts):
        if digest is not None and position == digest["tree_size"]:
            digest_root = tree.root()
        try:
            line = json.loads(text)
            if line["position"] != position:
                raise Bad(f"expected position {position}, found {line['position']}")
            leaf, chain, entries = check_line(line, position, bank_id, chain, entries)
        except (KeyError, ValueError, TypeError) as error:
            raise Bad(f"position {position}: malformed line ({error!r})")
        except Bad as error:
            raise Bad(f"position {position}: {error}")
        tree.append(leaf)
    root = tree.root()
    if header["root_hash"] != root.hex():
        raise Bad(f"the Merkle root is {root.hex()}, the header says {header['root_hash']}")
    if header["journal_hash"] != chain.hex():
        raise Bad("the last chain hash differs from the header's journal_hash")
    if header["entry_count"] != entries[1]:
        raise Bad(f"{entries[1]} entries, the header says {header['entry_count']}")
    if digest is not None:
        if digest_root is None:
            digest_root = tree.root()
        if digest["root_hash"] != digest_root.hex():
            raise Bad(f"the root of the first {digest['tree_size']} facts is {digest_root.hex()}, "
                      f"the digest says {digest['root_hash']}: history was rewritten")
    return bank_id, size, entries[1], root


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", help="the output of `timeledger export journal BANK`")
    parser.add_argument("--digest", help="a digest file saved by `timeledger audit digest --out`")
    args = parser.parse_args()
    try:
        with open(args.export, encoding="utf-8") as file:
            lines = [line for line in file.read().split("\n") if line.strip()]
        digest = None
        if args.digest:
            with open(args.digest, encoding="utf-8") as file:
                digest = json.load(file)
        if not lines:
            raise Bad("the export is empty")
        bank_id, size, entry_count, root = verify(lines, digest)
    except (OSError, ValueError, KeyError) as error:
        print(f"cannot read: {error}", file=sys.stderr)
        return 1
    except Bad as error:
        print(f"NOT VERIFIED: {error}", file=sys.stderr)
        return 1
    also = f", and extends the digest of {digest['tree_size']} facts" if digest else ""
    print(f"verified: bank {bank_id}, {size} facts, {entry_count} entries, Merkle root "
          f"{root.hex()}{also}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
