"""What the scripts in tests/vm/ share: their one-JSON-line-per-case output, on CPython and MicroPython."""

import json


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
