"""PartnerClient: a partner system's connection to timeledgerd, in plain calls.

One client holds one gRPC channel and one token. Every call sends the token as
`authorization: Bearer <token>` and turns a gRPC error into a LedgerError (errors.py). The
partner's bank and organisation account come from the token itself (Access.WhoAmI), so they need
not be configured twice. Thread-safe as grpc's channels are: calls may come from many threads.
"""

import threading
import time
from typing import Any, Callable, Iterator, Optional, Sequence

import grpc

from timeledger_partner import _stubs
from timeledger_partner.errors import LedgerError, error_from_rpc
from timeledger_partner.feed import Cursor, FeedBatch, check_message

pb = _stubs.load("timeledger.v1.types_pb2")
access_pb2 = _stubs.load("timeledger.v1.access_pb2")
access_grpc = _stubs.load("timeledger.v1.access_pb2_grpc")
accounts_pb2 = _stubs.load("timeledger.v1.accounts_pb2")
accounts_grpc = _stubs.load("timeledger.v1.accounts_pb2_grpc")
ledger_pb2 = _stubs.load("timeledger.v1.ledger_pb2")
ledger_grpc = _stubs.load("timeledger.v1.ledger_pb2_grpc")
audit_pb2 = _stubs.load("timeledger.v1.audit_pb2")
audit_grpc = _stubs.load("timeledger.v1.audit_pb2_grpc")

CALL_TIMEOUT_S = 30.0  # a unary call's deadline
STALL_S = 60.0  # a feed silent this long (the server sends a keepalive every 15 s) is reconnected
BACKOFF_FIRST_S = 0.5  # the first wait before reconnecting the feed; doubles up to BACKOFF_MAX_S
BACKOFF_MAX_S = 30.0
# gRPC's own wait between attempts to reconnect a channel grows to 120 s by default, so that a
# feed's retry after a server's restart could fail fast for minutes: keep it short. No keepalive
# pings: the server allows one every 5 minutes at most (docs/API.md, "The change feed").
CHANNEL_OPTIONS = (("grpc.max_reconnect_backoff_ms", 5000),)


def read_token(token: Optional[str] = None, token_file: Optional[str] = None) -> str:
    """The token given, or the one in TOKEN_FILE (as `timeledger token create --out` writes it)."""
    if token_file:
        with open(token_file, encoding="utf-8") as file:
            token = file.read()
    token = (token or "").strip()
    if not token:
        raise ValueError("no token: give the token, or the file `token create --out` wrote")
    return token


def _read(path: Optional[str]) -> Optional[bytes]:
    if not path:
        return None
    with open(path, "rb") as file:
        return file.read()


def channel_for(server: str, tls_ca: Optional[str] = None, tls_cert: Optional[str] = None,
                tls_key: Optional[str] = None, tls: bool = False) -> grpc.Channel:
    """A channel to SERVER (host:port). Plaintext unless TLS is asked for: TLS_CA (PEM CAs to
    trust for the server's certificate) or TLS (the system's CAs); TLS_CERT and TLS_KEY (PEM) for
    a client certificate (mTLS), the certificate a bound token needs."""
    if bool(tls_cert) != bool(tls_key):
        raise ValueError("a client certificate needs its key, and a key its certificate")
    if not (tls or tls_ca or tls_cert):
        return grpc.insecure_channel(server, options=CHANNEL_OPTIONS)
    credentials = grpc.ssl_channel_credentials(root_certificates=_read(tls_ca),
                                               private_key=_read(tls_key),
                                               certificate_chain=_read(tls_cert))
    return grpc.secure_channel(server, credentials, options=CHANNEL_OPTIONS)


class _Watchdog:
    """Cancels a call that has heard nothing for STALL_S; one thread per stream."""

    def __init__(self, call: Any, stall_s: float) -> None:
        self._call, self._stall_s = call, stall_s
        self._last = time.monotonic()
        self._done = threading.Event()
        self.fired = False
        threading.Thread(target=self._run, daemon=True).start()

    def heard(self) -> None:
        self._last = time.monotonic()

    def stop(self) -> None:
        self._done.set()

    def _run(self) -> None:
        while not self._done.wait(min(1.0, self._stall_s)):
            if time.monotonic() - self._last > self._stall_s:
                self.fired = True
                self._call.cancel()
                return


class PartnerClient:
    """A partner's calls. Construct it with connect(); close it (or use `with`) when done."""

    def __init__(self, channel: grpc.Channel, token: str, bank_id: str = "",
                 account_id: str = "") -> None:
        self._channel = channel
        self._metadata = (("authorization", f"Bearer {token}"),)
        self._access = access_grpc.AccessStub(channel)
        self._accounts = accounts_grpc.AccountsStub(channel)
        self._ledger = ledger_grpc.LedgerStub(channel)
        self._audit = audit_grpc.AuditStub(channel)
        self.principal = self._call(self._access.WhoAmI, access_pb2.WhoAmIRequest())
        # A staff token (for tests, or a coordinator's own tools) names its bank and account.
        self.bank_id: str = self.principal.bank_id or bank_id
        self.account_id: str = self.principal.account_id or account_id
        if not self.bank_id:
            raise ValueError(f"{self.principal.name} belongs to no bank: give the bank_id")

    @classmethod
    def connect(cls, server: str, token: Optional[str] = None, token_file: Optional[str] = None,
                tls_ca: Optional[str] = None, tls_cert: Optional[str] = None,
                tls_key: Optional[str] = None, tls: bool = False, bank_id: str = "",
                account_id: str = "") -> "PartnerClient":
        """Connects to SERVER and asks who the token is (raises LedgerError if it is refused).
        A partner's bank and account are its token's; BANK_ID and ACCOUNT_ID are for an admin's."""
        channel = channel_for(server, tls_ca, tls_cert, tls_key, tls)
        try:
            return cls(channel, read_token(token, token_file), bank_id, account_id)
        except BaseException:
            channel.close()
            raise

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "PartnerClient":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def _call(self, method: Callable[..., Any], request: Any) -> Any:
        try:
            return method(request, metadata=self._metadata, timeout=CALL_TIMEOUT_S)
        except grpc.RpcError as error:
            raise error_from_rpc(error) from None

    def record_spend(self, payer_account_id: str, minutes: int, entry_id: str,
                     activity: str = "", note: str = "", card_number: str = "",
                     pin: str = "") -> Any:
        """Records a SPEND: PAYER spends MINUTES on what this partner offers, into its own
        account. ENTRY_ID is the idempotency key: sending the same entry again (after a timeout,
        a crash, an UNAVAILABLE) records nothing twice and answers `replayed`; the same key with
        other content is refused (ALREADY_EXISTS, ENTRY_ID_REUSED), but for the note of an entry
        whose note was erased (docs/PRIVACY.md). Returns the receipt
        (RecordEntryResponse): `pending` while the member has still to agree (docs/POLICY.md,
        "Partner spends"); CARD_NUMBER and PIN are the member's consent where the bank asks."""
        request = ledger_pb2.RecordEntryRequest(
            bank_id=self.bank_id, entry_id=entry_id, kind=pb.SPEND,
            from_account_id=payer_account_id, to_account_id=self.account_id, minutes=minutes,
            activity=activity, note=note)
        if card_number or pin:
            request.payer_card.card_number, request.payer_card.pin = card_number, pin
        return self._call(self._ledger.RecordEntry, request)

    def record_entry(self, request: Any) -> Any:
        """Records any RecordEntryRequest as it is (its bank_id defaults to the partner's)."""
        if not request.bank_id:
            request.bank_id = self.bank_id
        return self._call(self._ledger.RecordEntry, request)

    def get_account(self, account_id: Optional[str] = None) -> Any:
        """The Account (balance_minutes, pending_in_minutes, ...); by default the partner's."""
        request = accounts_pb2.GetAccountRequest(bank_id=self.bank_id,
                                                 account_id=account_id or self.account_id)
        return self._call(self._accounts.GetAccount, request)

    def list_entries(self, page_size: int = 100, page_token: str = "",
                     account_id: str = "") -> Any:
        """One page (ListEntriesResponse: rows, next_page_token) of the account's entries, oldest
        first. PAGE_TOKEN is the last page's next_page_token, kept as it is: it may be stored
        and used later to read on from where the last page ended (docs/API.md, "Paging")."""
        request = ledger_pb2.ListEntriesRequest(bank_id=self.bank_id, account_id=account_id,
                                                page_size=page_size, page_token=page_token)
        return self._call(self._ledger.ListEntries, request)

    def pages(self, page_size: int = 100, page_token: str = "") -> Iterator[Any]:
        """Every page of the partner's entries from PAGE_TOKEN ("" for the first) to the last."""
        while True:
            page = self.list_entries(page_size, page_token)
            yield page
            page_token = page.next_page_token
            if not page_token:
                return

    def get_digest(self) -> Any:
        """The bank's Digest now: tree_size, root_hash and journal_hash."""
        return self._call(self._audit.GetDigest, audit_pb2.GetDigestRequest(bank_id=self.bank_id))

    def follow(self, cursor: Optional[Cursor] = None, types: Sequence[int] = (),
               on_reconnect: Optional[Callable[[LedgerError, float], None]] = None,
               stall_s: float = STALL_S) -> Iterator[FeedBatch]:
        """The bank's change feed from CURSOR (None: from now on), verified, one FeedBatch per
        message, for ever: break out of the loop to stop. The partner gets the facts that touch
        its own account. Process a batch's records, then keep its cursor (or Cursor.after(record)
        after each record): the next batch comes only when you ask for it, and a reconnect
        resumes after the last batch you were given, so that each position comes exactly once.

        UNAVAILABLE (the server restarting, the network gone), CANCELLED by the server, and
        silence longer than STALL_S are retried for ever, waiting BACKOFF_FIRST_S, then twice as
        long each time up to BACKOFF_MAX_S (on_reconnect(error, wait_s) is told each time).
        Anything else ends the feed with a LedgerError: PERMISSION_DENIED TOKEN_REVOKED,
        OUT_OF_RANGE TREE_SIZE_AHEAD (a cursor of another ledger), ... A record that does not
        verify raises ChainError."""
        backoff_s = BACKOFF_FIRST_S
        while True:
            request = audit_pb2.WatchJournalRequest(
                bank_id=self.bank_id, types=list(types), from_now=cursor is None,
                start_position=cursor.next_position if cursor else 0)
            call = self._audit.WatchJournal(request, metadata=self._metadata)
            watchdog = _Watchdog(call, stall_s)
            try:
                for message in call:
                    watchdog.heard()
                    if cursor is None:  # from now on: the chain is taken up where it stands
                        cursor = (Cursor(message.records[0].position,
                                         bytes(message.prior_chain_hashes[0]))
                                  if message.records else
                                  Cursor(message.next_position, bytes(message.journal_hash)))
                    after = check_message(cursor, message.records, message.prior_chain_hashes,
                                          message.next_position, message.journal_hash,
                                          self.bank_id)
                    backoff_s = BACKOFF_FIRST_S
                    yield FeedBatch(list(message.records), after, message.tree_size)
                    cursor = after
                error = LedgerError(grpc.StatusCode.UNAVAILABLE, "the server ended the feed")
            except grpc.RpcError as rpc_error:
                error = error_from_rpc(rpc_error)
                if watchdog.fired:
                    error = LedgerError(grpc.StatusCode.UNAVAILABLE,
                                        f"the feed was silent for {stall_s:g} s")
                # CANCELLED that this client did not ask for is the server's: a stream it cut
                # (a shutdown's last second, a call that came in while it was stopping).
                elif not error.retryable and error.code != grpc.StatusCode.CANCELLED:
                    raise error from None
            finally:
                watchdog.stop()
                call.cancel()
            if on_reconnect:
                on_reconnect(error, backoff_s)
            time.sleep(backoff_s)
            backoff_s = min(backoff_s * 2, BACKOFF_MAX_S)
