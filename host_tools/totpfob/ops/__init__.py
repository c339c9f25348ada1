"""What totpfob does with tokens, as plain Python calls: the command line and a GUI both call these.

Each takes parsed inputs (ports, an Account, names), returns what it found or did, and raises only UserError, with
one line the user can act on. Link failures and the token's refusals become that line in one place, `connect`.
Nothing here prints: what a person should read while an operation runs goes to the `note` callback.
"""

from . import imports, settings
from .accounts import Added, accounts, add, code, delete, rename, wipe
from .clock import Synced, host_clock_warning, time_status, time_sync
from .imports import Imported, import_accounts
from .session import Note, connect, find_account, info, pick_port, pick_ports, quiet

__all__ = ["Added", "Note", "Synced", "accounts", "add", "code", "connect", "delete", "find_account",
           "host_clock_warning", "Imported", "import_accounts", "imports", "info", "pick_port", "pick_ports", "quiet",
           "rename", "settings", "time_status", "time_sync", "wipe"]
