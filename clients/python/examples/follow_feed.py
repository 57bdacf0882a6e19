#!/usr/bin/env python3
"""Follows the bank's change feed as a partner, verifying the chain, resuming where it stopped.

    python3 clients/python/examples/follow_feed.py --token-file cafe-till.token \
        --position-file cafe.position --until-caught-up

Prints each fact it is sent (a partner is sent the facts that touch its own account) and keeps,
after each one, the position to resume from in --position-file: run it again and it goes on
from there, each position exactly once. Without the file it starts at the journal's beginning
(or, with --from-now, at its end). It stops after --stop-after facts, or with --until-caught-up
once it has every fact recorded so far; otherwise it follows until Ctrl-C, reconnecting by itself
when the server is unavailable. At the end it says whether the chain verified and compares its
position with the bank's digest. Exit status 0 if everything verified, 1 otherwise.
"""

import argparse
import os
import sys

# The kit beside this example (clients/python/timeledger_partner), without installing anything.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from timeledger_partner import ChainError, Cursor, LedgerError  # noqa: E402
from timeledger_partner.options import add_connection_arguments, connect  # noqa: E402


def describe(record) -> str:
    """One line for a JournalRecord: its position, type and what it says."""
    body = record.WhichOneof("body")
    fact_type = record.DESCRIPTOR.fields_by_name["type"].enum_type.values_by_number[record.type]
    what = ""
    if body == "entry":
        entry = record.entry
        what = (f" seq {entry.seq}, {entry.minutes} minutes {entry.from_account_id} -> "
                f"{entry.to_account_id} ({entry.entry_id})")
    elif body == "pending_created":
        entry = record.pending_created.entry
        what = (f" {entry.minutes} minutes {entry.from_account_id} -> {entry.to_account_id} "
                f"({entry.entry_id}), waiting for {record.pending_created.confirm_by}")
    elif body == "pending_resolved":
        resolved = record.pending_resolved
        state = resolved.DESCRIPTOR.fields_by_name["state"].enum_type.values_by_number[
            resolved.state].name
        what = f" {resolved.entry_id} {state}"
    elif body == "account_opened":
        what = f" {record.account_opened.account_id}"
    return f"position {record.position}: {fact_type.name}{what}"


def follow(ledger, args, cursor) -> tuple:
    """Processes the feed until asked to stop; returns (facts, first, last, cursor, caught_up)."""
    facts, first, last, caught_up = 0, None, None, False

    def reconnecting(error: LedgerError, wait_s: float) -> None:
        where = f"position {cursor.next_position}" if cursor else "now"
        print(f"Reconnecting in {wait_s:g} s from {where}: {error}")

    for batch in ledger.follow(cursor, on_reconnect=reconnecting):
        for record in batch.records:
            print(describe(record))  # a partner's own processing goes here
            cursor = Cursor.after(record)
            cursor.save(args.position_file, ledger.bank_id)
            facts += 1
            first = record.position if first is None else first
            last = record.position
            if facts == args.stop_after:
                return facts, first, last, cursor, False
        if batch.cursor != cursor:  # facts filtered out, or a keepalive that moved on
            cursor = batch.cursor
            cursor.save(args.position_file, ledger.bank_id)
        if args.until_caught_up and batch.caught_up:
            return facts, first, last, cursor, True
    return facts, first, last, cursor, caught_up


def compare_with_digest(ledger, cursor: Cursor) -> None:
    digest = ledger.get_digest()
    if digest.tree_size != cursor.next_position:
        since = digest.tree_size - cursor.next_position
        print(f"The bank's digest has {digest.tree_size} facts, {since} recorded since.")
    elif bytes(digest.journal_hash) != cursor.journal_hash:
        raise ChainError(f"the digest's journal hash at {digest.tree_size} is not the feed's")
    else:
        print(f"The bank's digest agrees: {digest.tree_size} facts, journal hash "
              f"{cursor.journal_hash.hex()[:16]}.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_connection_arguments(parser)
    parser.add_argument("--position-file", required=True,
                        help="where the position to resume from is kept")
    parser.add_argument("--from-now", action="store_true",
                        help="without a position file, start at the journal's end")
    parser.add_argument("--stop-after", type=int, default=0, help="stop after N facts")
    parser.add_argument("--until-caught-up", action="store_true",
                        help="stop once every fact recorded so far was sent")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # each fact as it comes, also into a pipe or log
    try:
        with connect(args) as ledger:
            cursor = Cursor.load(args.position_file, ledger.bank_id)
            fresh = not os.path.exists(args.position_file)
            if fresh and args.from_now:
                cursor = None
                print(f"Following {ledger.bank_id} for {ledger.account_id} from now on.")
            else:
                print(f"Following {ledger.bank_id} for {ledger.account_id} from position "
                      f"{cursor.next_position}.")
            facts, first, last, cursor, caught_up = follow(ledger, args, cursor)
            span = f", positions {first} to {last}" if facts else ""
            noun = "fact" if facts == 1 else "facts"
            print(f"Chain verified: {facts} {noun}{span}; next position {cursor.next_position}, "
                  f"kept in {args.position_file}.")
            if caught_up:
                compare_with_digest(ledger, cursor)
    except ChainError as error:
        print(f"error: the feed does not verify: {error}", file=sys.stderr)
        return 1
    except LedgerError as error:
        print(error.report(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
