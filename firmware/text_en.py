"""The token's words in English (see texts.py for the form; text_hu.py has the same names)."""

TEXTS = {
    "empty": "No accounts\nAdd one with\ntotpfob add",
    "clock-lost": "Clock lost\nConnect USB and\nrun on the PC:\ntotpfob\ntime sync",
    "damaged": "Storage damaged\nRun on the PC:\ntotpfob wipe",
    "error": "Firmware error\nReinstall it:\ntotpfob deploy",
    "erasing": "Erasing keys\nPlease wait",
    "next": "next",  # the code screen's one word, before the next code: at most 4 letters
    # The status screen, line by line.
    "date": "%04d-%02d-%02d",
    "time": "%02d:%02d:%02d UTC",
    "synced": "Last sync:\n%s",
    "never": "never",
    "now": "just now",
    "minutes": "%d min ago",
    "hours": "%d h ago",
    "days": "%d d ago",
    "drift": "Drift %s ppm",
    "point": ".",
    "battery": "Battery %d%%",
    "stored": "Stored: %d/%d",
    # The questions (service.py asks them, app.ask shows them above the hold and the countdown).
    "replace": "Replace key of\n%s?",
    "rename": "Rename\n%s\nto %s?",
    "delete": "Delete\n%s?",
    "wipe": "Wipe all %d\naccounts?",
    "clock-min": "Move the clock\nby %+d min?",
    "clock-h": "Move the clock\nby %+d h?",
    "clock-d": "Move the clock\nby %+d days?",
    "maintenance": "Open\nmaintenance\n(the REPL)?",
    "hold": "Hold A %d s",
    "left": "%d s",
}
