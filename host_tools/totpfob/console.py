"""Text out on any console: Hungarian letters where the console has them, their plain forms where it does not.

A Windows console shows every letter (Python writes it through the wide-character API), but output redirected to
a file or pipe, or a console on an old code page (cp437 lacks ő and ű; cp1252 too), would otherwise stop the
command with UnicodeEncodeError half way. There a letter loses its accent ("ő" -> "o"); what has no plain form
becomes "?". Nothing else changes: the bytes a UTF-8 console gets are the same.
"""

import codecs
import sys
import unicodedata

ERRORS = "totpfob-plain"


def _plain(error: UnicodeError) -> tuple:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    encoding = error.encoding
    out = "".join(c if _encodes(c, encoding) else "?" for c in folded)
    return out, error.end


def _encodes(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


def setup() -> None:
    """Make stdout and stderr degrade as above instead of failing (once, at the start of the command line)."""
    try:
        codecs.lookup_error(ERRORS)
    except LookupError:
        codecs.register_error(ERRORS, _plain)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)  # absent when a caller swapped in a StringIO
        # stderr's default is backslashreplace: "el\u0151" is no better than a stop for a person reading it
        if reconfigure is not None and (stream.errors or "strict") in ("strict", "backslashreplace"):
            reconfigure(errors=ERRORS)
