"""The kit's exceptions: a refused or failed call, and a feed that does not verify.

timeledgerd answers every error with a gRPC code, a message a person can read, and in the
trailing metadata `grpc-status-details-bin` a google.rpc.Status holding one google.rpc.ErrorInfo:
domain `timeledger.v1`, a stable `reason` (e.g. OVERDRAFT_LIMIT) and `metadata`, the figures
behind it (docs/API.md, "Errors"). LedgerError carries all of them, so that a partner branches on
`reason`, never on the message's words.
"""

from typing import Dict, Optional

import grpc

from timeledger_partner import _stubs

_status_pb2 = _stubs.load("google.rpc.status_pb2")
_error_details_pb2 = _stubs.load("google.rpc.error_details_pb2")

STATUS_DETAILS_KEY = "grpc-status-details-bin"


class LedgerError(Exception):
    """A call that timeledgerd refused, or that did not reach it.

    code: the grpc.StatusCode (e.g. grpc.StatusCode.FAILED_PRECONDITION).
    reason: ErrorInfo's stable reason (e.g. "OVERDRAFT_LIMIT"); "" when the error did not come
        from timeledgerd (the server cannot be reached, a deadline passed).
    message: the sentence the server wrote, for a person.
    metadata: ErrorInfo's figures (e.g. {"field": "minutes"}).
    domain: ErrorInfo's domain, "timeledger.v1" for the server's own errors.
    """

    def __init__(self, code: grpc.StatusCode, message: str, reason: str = "",
                 metadata: Optional[Dict[str, str]] = None, domain: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason
        self.metadata: Dict[str, str] = dict(metadata or {})
        self.domain = domain

    @property
    def retryable(self) -> bool:
        """Whether the same call may simply be sent again later (with the same entry_id)."""
        return self.code == grpc.StatusCode.UNAVAILABLE

    def report(self) -> str:
        """The refusal as the staff CLI says it, "error: MESSAGE (REASON)", then its code and
        figures on a line of their own."""
        figures = ", ".join(f"{key}={value}" for key, value in sorted(self.metadata.items()))
        return (f"error: {self.message} ({self.reason or self.code.name})\n"
                f"  gRPC code {self.code.name}, figures {{{figures}}}")

    def __str__(self) -> str:
        reason = f" {self.reason}" if self.reason else ""
        return f"{self.code.name}{reason}: {self.message}"


class ChainError(Exception):
    """The feed's records do not verify: a hash, a position or the chain's continuity is wrong.
    Stop trusting the server's answers and tell the bank; never skip past it."""


def error_from_rpc(error: grpc.RpcError) -> LedgerError:
    """The LedgerError that a grpc.RpcError of a call stands for, with its ErrorInfo if any."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    message = error.details() if hasattr(error, "details") else str(error)
    trailing = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
    for key, value in trailing or ():
        if key != STATUS_DETAILS_KEY:
            continue
        status = _status_pb2.Status()
        status.ParseFromString(value)
        for detail in status.details:
            info = _error_details_pb2.ErrorInfo()
            if detail.Unpack(info):
                return LedgerError(code, status.message or message or "", info.reason,
                                   dict(info.metadata), info.domain)
    return LedgerError(code, message or "")
