"""Finds the Python stubs generated from proto/ at build time and makes them importable.

The build writes them to <build>/clients/python/stubs/ (clients/python/CMakeLists.txt), in the
layout of the proto files: timeledger/v1/*_pb2.py and google/rpc/*_pb2.py. Generated modules
import each other by that path (`from timeledger.v1 import types_pb2`), so the directory that
holds `timeledger/` must be on sys.path itself; it cannot be a subpackage of this kit. The kit is
named `timeledger_partner` so that its package and the generated `timeledger` never collide.
"""

import importlib
import os
import sys
from types import ModuleType

# Where the stubs are, if not in the build tree beside this checkout.
STUBS_ENV = "TIMELEDGER_PYTHON_STUBS"
# clients/python/timeledger_partner/ -> the checkout's top, where ./scripts/setup.sh builds.
_CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
_BUILD_STUBS = os.path.join(_CHECKOUT, "build", "clients", "python", "stubs")


def stubs_dir() -> str:
    """The directory searched for the stubs: $TIMELEDGER_PYTHON_STUBS, else the build tree."""
    return os.environ.get(STUBS_ENV) or _BUILD_STUBS


def _put_on_path() -> None:
    directory = stubs_dir()
    if os.path.isdir(os.path.join(directory, "timeledger", "v1")) and directory not in sys.path:
        sys.path.insert(0, directory)


def load(name: str) -> ModuleType:
    """Imports the generated module NAME (e.g. "timeledger.v1.ledger_pb2")."""
    _put_on_path()
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise ImportError(
            f"cannot import the generated module {name} ({error}): build the project "
            f"(./scripts/setup.sh builds into build/), or set {STUBS_ENV} to the directory "
            f"holding timeledger/v1/*_pb2.py (looked in {stubs_dir()})") from error
