"""Timeledger's partner kit: what a partner system (a cafe's till, a partner charity) needs to
record spends, read its balance and entries, and follow the ledger's change feed, verified.

    from timeledger_partner import PartnerClient, LedgerError
    with PartnerClient.connect("127.0.0.1:50051", token_file="cafe-till.token") as ledger:
        receipt = ledger.record_spend("alice", 60, entry_id="till-0001", activity="lunch")
        print(ledger.get_account().balance_minutes)

Runs on Debian 12's python3-grpcio and python3-protobuf, with the stubs the build generates from
proto/ (_stubs.py says where it finds them). docs/API.md, "Partner guide", explains the calls;
clients/python/examples/ uses each of them.
"""

from timeledger_partner.client import PartnerClient, channel_for, read_token
from timeledger_partner.errors import ChainError, LedgerError, error_from_rpc
from timeledger_partner.feed import Cursor, FeedBatch, chain_hash, check_message, leaf_hash

__all__ = [
    "ChainError", "Cursor", "FeedBatch", "LedgerError", "PartnerClient", "chain_hash",
    "channel_for", "check_message", "error_from_rpc", "leaf_hash", "read_token",
]
