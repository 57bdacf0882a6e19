"""Command-line options for a partner's program, read as the staff CLI reads them.

The same names and environment variables as `timeledger` (docs/SECURITY.md, "The clients"):
--server or TIMELEDGER_SERVER (default 127.0.0.1:50051), --token-file or TIMELEDGER_TOKEN_FILE,
or the token itself in TIMELEDGER_TOKEN, and --tls-ca, --tls-cert, --tls-key or
TIMELEDGER_TLS_CA, _CERT, _KEY.
"""

import argparse
import os

from timeledger_partner.client import PartnerClient

DEFAULT_SERVER = "127.0.0.1:50051"  # where ./scripts/run.sh serves


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    env = os.environ.get
    parser.add_argument("--server", default=env("TIMELEDGER_SERVER", DEFAULT_SERVER),
                        help="timeledgerd's HOST:PORT (TIMELEDGER_SERVER; default %(default)s)")
    parser.add_argument("--token-file", default=env("TIMELEDGER_TOKEN_FILE"),
                        help="the partner's token file (TIMELEDGER_TOKEN_FILE; or the token "
                             "itself in TIMELEDGER_TOKEN)")
    parser.add_argument("--tls-ca", default=env("TIMELEDGER_TLS_CA"),
                        help="talk TLS, trusting the PEM CAs in this file (TIMELEDGER_TLS_CA)")
    parser.add_argument("--tls", action="store_true",
                        help="talk TLS, trusting the system's CAs")
    parser.add_argument("--tls-cert", default=env("TIMELEDGER_TLS_CERT"),
                        help="the partner's client certificate, PEM (TIMELEDGER_TLS_CERT)")
    parser.add_argument("--tls-key", default=env("TIMELEDGER_TLS_KEY"),
                        help="its unencrypted PEM key (TIMELEDGER_TLS_KEY)")


def connect(args: argparse.Namespace) -> PartnerClient:
    """Connects with the options add_connection_arguments added."""
    token = None if args.token_file else os.environ.get("TIMELEDGER_TOKEN")
    return PartnerClient.connect(args.server, token=token, token_file=args.token_file,
                                 tls_ca=args.tls_ca, tls_cert=args.tls_cert,
                                 tls_key=args.tls_key, tls=args.tls)
