"""What the scripts in tests/vm/ share: their one-JSON-line-per-case output, on CPython and MicroPython."""

import json
import sys


def emit(case, **fields):
    """Print one case's result as a JSON line (the pytest side parses them)."""
    fields["case"] = case
    print(json.dumps(fields))


def errno_of(call):
    """The errno of the OSError that call() raises, or None if it returns."""
    try:
        call()
    except OSError as e:
        return e.args[0]
    return None


def cases():
    """The cases the pytest side sends on stdin, one JSON object a line (blank lines skipped)."""
    for line in sys.stdin:
        line = line.strip()
        if line:
            yield json.loads(line)
