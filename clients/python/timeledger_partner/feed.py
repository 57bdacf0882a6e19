"""The change feed's chain, checked as it arrives, and where to resume it.

The hashes are those of docs/ARCHITECTURE.md, "The journal", defined as clients/verify_export.py
(the reference verifier of exports) defines them:

    leaf_hash(p)  = SHA-256(0x00 || fact(p))
    chain_hash(p) = SHA-256(chain_hash(p - 1) || leaf_hash(p)),  chain_hash(-1) = 32 zero bytes

A WatchJournalResponse sends, beside each record, the chain hash of the fact just before it
(`prior_chain_hashes`), since a filtered feed (a partner's: only its own account's facts) skips
facts; and `journal_hash`, the chain hash of fact `next_position - 1`. So every record is checked
on its own, and where a record directly follows what the watcher knew (the record before it, or
the last message's next_position), its prior must be the hash the watcher already holds: the
chain is continuous across messages and reconnects, and a position is never sent twice.
"""

import dataclasses
import hashlib
import json
import os
from typing import Any, List, Sequence

from timeledger_partner.errors import ChainError

ZERO = bytes(32)  # chain_hash(-1): the chain hash before position 0


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(fact: bytes) -> bytes:
    """SHA-256(0x00 || fact): the RFC 6962 leaf hash of a fact's canonical bytes."""
    return sha256(b"\x00" + fact)


def chain_hash(prior: bytes, leaf: bytes) -> bytes:
    """SHA-256(prior || leaf): the chain hash of a fact after the fact whose chain hash is prior."""
    return sha256(prior + leaf)


@dataclasses.dataclass(frozen=True)
class Cursor:
    """Where a watcher stands: every fact below next_position was processed (or filtered out),
    and journal_hash is the chain hash of fact next_position - 1 (ZERO at 0). Keep it after
    processing and resume with it; it is small enough to keep after every fact."""

    next_position: int = 0
    journal_hash: bytes = ZERO

    @staticmethod
    def after(record: Any) -> "Cursor":
        """The cursor just after a verified record: resume with the fact after it."""
        return Cursor(record.position + 1, bytes(record.chain_hash))

    def save(self, path: str, bank_id: str) -> None:
        """Writes the cursor to PATH as one line of JSON, atomically (a crash leaves the old one)."""
        text = json.dumps({"bank_id": bank_id, "next_position": self.next_position,
                           "journal_hash": self.journal_hash.hex()})
        temporary = f"{path}.tmp"
        with open(temporary, "w", encoding="utf-8") as file:
            file.write(text + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)

    @staticmethod
    def load(path: str, bank_id: str) -> "Cursor":
        """The cursor saved in PATH, or the journal's beginning if there is no such file."""
        try:
            with open(path, encoding="utf-8") as file:
                saved = json.load(file)
        except FileNotFoundError:
            return Cursor()
        if saved.get("bank_id") != bank_id:
            raise ValueError(f"{path} is the position of bank {saved.get('bank_id')!r}, "
                             f"not of {bank_id!r}")
        journal_hash = bytes.fromhex(saved["journal_hash"])
        if len(journal_hash) != 32 or saved["next_position"] < 0:
            raise ValueError(f"{path} does not hold a feed position")
        return Cursor(int(saved["next_position"]), journal_hash)


@dataclasses.dataclass
class FeedBatch:
    """One message of the feed, verified: its records (JournalRecord, in position order), the
    cursor after all of them, and the journal's size when the server read them."""

    records: List[Any]
    cursor: Cursor
    tree_size: int

    @property
    def caught_up(self) -> bool:
        """Whether the watcher had every fact recorded when this message was read."""
        return self.cursor.next_position >= self.tree_size


def _fact_header(fact: bytes) -> tuple:
    """(version, type, bank_id, position) of a fact's canonical bytes (ARCHITECTURE.md:
    u8 version, u8 type, str bank_id as LEB128 length and bytes, big-endian u64 position)."""
    if len(fact) < 2:
        raise ChainError("a fact ends too early")
    length, shift, at = 0, 0, 2
    while True:
        if at >= len(fact) or shift > 63:
            raise ChainError("a fact's bank id is malformed")
        byte = fact[at]
        at += 1
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    if at + length + 8 > len(fact):
        raise ChainError("a fact ends too early")
    bank_id = fact[at:at + length].decode("utf-8", "replace")
    position = int.from_bytes(fact[at + length:at + length + 8], "big")
    return fact[0], fact[1], bank_id, position


def check_record(record: Any, prior: bytes, bank_id: str) -> None:
    """Checks one record on its own: its fact names its bank, position and type, and its leaf
    and chain hashes follow from the fact and PRIOR. Raises ChainError naming the position."""
    where = f"position {record.position}"
    version, type_, fact_bank, fact_position = _fact_header(bytes(record.fact))
    if version not in (1, 2) or type_ != record.type:
        raise ChainError(f"{where}: the fact's version or type differs from the record")
    if fact_bank != bank_id or record.bank_id != bank_id or fact_position != record.position:
        raise ChainError(f"{where}: the fact belongs to another bank or position")
    if len(prior) != 32:
        raise ChainError(f"{where}: the prior chain hash is not 32 bytes")
    leaf = leaf_hash(bytes(record.fact))
    if bytes(record.leaf_hash) != leaf:
        raise ChainError(f"{where}: the leaf hash is not SHA-256(0x00 || fact)")
    if bytes(record.chain_hash) != chain_hash(prior, leaf):
        raise ChainError(f"{where}: the chain hash is not SHA-256(prior || leaf_hash)")


def check_message(cursor: Cursor, records: Sequence[Any], priors: Sequence[bytes],
                  next_position: int, journal_hash: bytes, bank_id: str) -> Cursor:
    """Checks one message against where the watcher stood (CURSOR) and returns the cursor after
    it. Positions only increase from cursor.next_position (nothing twice, nothing before); each
    record verifies (check_record); a record at the position the watcher expects next has the
    prior the watcher holds; and journal_hash agrees with the last record when nothing after it
    was filtered out. Raises ChainError otherwise."""
    if len(priors) != len(records):
        raise ChainError(f"{len(records)} records with {len(priors)} prior chain hashes")
    expected, known = cursor.next_position, cursor.journal_hash
    for record, prior in zip(records, priors):
        prior = bytes(prior)
        if record.position < expected:
            raise ChainError(f"position {record.position} came again, or out of order: every "
                             f"fact below {expected} was already processed")
        if record.position == expected and prior != known:
            raise ChainError(f"position {record.position}: its prior chain hash is not the "
                             "chain hash the watcher holds for the fact before it")
        check_record(record, prior, bank_id)
        expected, known = record.position + 1, bytes(record.chain_hash)
    journal_hash = bytes(journal_hash)
    if next_position < expected:
        raise ChainError(f"next_position {next_position} is below position {expected - 1}, "
                         "already sent")
    if next_position == expected and journal_hash != known:
        raise ChainError(f"journal_hash at next_position {next_position} is not the chain hash "
                         f"of position {next_position - 1}")
    if len(journal_hash) != 32:
        raise ChainError("journal_hash is not 32 bytes")
    return Cursor(next_position, journal_hash)
