#!/usr/bin/env python3
"""A partner's first session with the ledger, as a cafe's till would have it.

    python3 clients/python/examples/partner_tour.py --token-file cafe-till.token --payer alice

With a partner token (`timeledger token create --role partner ... --out cafe-till.token`) it
  1. records a SPEND from PAYER into the partner's account with an idempotency key (--id),
  2. sends the same entry again: the ledger answers with the first one and records nothing twice,
     and refuses the same key with other content,
  3. reads the partner's balance,
  4. pages through the partner's entries (--page-size a page),
  5. shows a refused call as the kit raises it: code, reason and figures.
Exit status 0 if all went as described, 1 otherwise. docs/API.md, "Partner guide", runs it.
"""

import argparse
import os
import sys

# The kit beside this example (clients/python/timeledger_partner), without installing anything.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from timeledger_partner import LedgerError  # noqa: E402
from timeledger_partner.options import add_connection_arguments, connect  # noqa: E402


def count(n: int, noun: str, nouns: str = "") -> str:
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"


def minutes(n: int) -> str:
    return count(n, "minute")


def describe(entry) -> str:
    kind = entry.DESCRIPTOR.fields_by_name["kind"].enum_type.values_by_number[entry.kind].name
    return (f"seq {entry.seq} {kind} {minutes(entry.minutes)} "
            f"{entry.from_account_id} -> {entry.to_account_id} ({entry.entry_id})")


def record_twice(ledger, args) -> None:
    receipt = ledger.record_spend(args.payer, args.minutes, args.id, activity=args.activity)
    state = (f"pending until {receipt.confirm_by} confirms it" if receipt.pending
             else f"recorded as seq {receipt.entry.seq}")
    replayed = " (it was already recorded: replayed)" if receipt.replayed else ""
    print(f"Recorded {args.id}: {args.payer} spends {minutes(args.minutes)} at "
          f"{ledger.account_id}, {state}{replayed}.")
    again = ledger.record_spend(args.payer, args.minutes, args.id, activity=args.activity)
    if not again.replayed:
        raise SystemExit(f"the same {args.id} again was not answered as replayed")
    print(f"Sent {args.id} again: replayed={again.replayed}, nothing recorded twice.")
    try:
        ledger.record_spend(args.payer, args.minutes + 15, args.id, activity=args.activity)
        raise SystemExit(f"{args.id} with other minutes was not refused")
    except LedgerError as error:
        print(f"Sent {args.id} with other minutes: refused, {error.code.name} {error.reason}.")


def show_balance(ledger) -> None:
    account = ledger.get_account()
    print(f"Balance of {account.account_id}: {minutes(account.balance_minutes)}; "
          f"{minutes(account.pending_in_minutes)} waiting for members to confirm; "
          f"{count(account.entry_count, 'entry', 'entries')}.")


def page_through(ledger, page_size: int) -> None:
    print(f"Entries of {ledger.account_id}, {page_size} a page:")
    rows = pages = 0
    for page in ledger.pages(page_size=page_size):
        pages += 1
        for row in page.rows:
            rows += 1
            print(f"  page {pages}: {describe(row.entry)}, balance after it "
                  f"{minutes(row.running_balance_minutes)}")
    print(f"{count(rows, 'entry', 'entries')} in {count(pages, 'page')}.")


def show_refusal(ledger, payer: str) -> None:
    try:
        ledger.get_account(payer)
        raise SystemExit(f"reading {payer}'s account was not refused")
    except LedgerError as error:
        figures = ", ".join(f"{k}={v}" for k, v in sorted(error.metadata.items()))
        print(f"A refused call, reading {payer}'s account: code {error.code.name}, "
              f"reason {error.reason}, figures {{{figures}}}: {error.message}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_connection_arguments(parser)
    parser.add_argument("--payer", default="alice", help="the member who spends (%(default)s)")
    parser.add_argument("--minutes", type=int, default=60, help="what they spend (%(default)s)")
    parser.add_argument("--id", default="till-0001",
                        help="the idempotency key, e.g. the till's receipt number (%(default)s)")
    parser.add_argument("--activity", default="lunch", help="what for (%(default)s)")
    parser.add_argument("--page-size", type=int, default=2, help="entries a page (%(default)s)")
    args = parser.parse_args()
    try:
        with connect(args) as ledger:
            print(f"Connected to {args.server} as {ledger.principal.name}, partner of "
                  f"{ledger.bank_id}, account {ledger.account_id}.")
            record_twice(ledger, args)
            show_balance(ledger)
            page_through(ledger, args.page_size)
            show_refusal(ledger, args.payer)
    except LedgerError as error:
        print(error.report(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
