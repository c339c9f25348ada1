"""How far a long operation is (a wipe's erase, an import): on a terminal one line that each note replaces, never a
scroll of lines; in a log (stderr not a terminal) a line now and then; results always on stdout, on lines of their
own. Checked on a real pseudo-terminal."""

import io
import os
import pty

from totpfob.progress import Printer, Progress, end


def read_all(fd: int) -> bytes:
    data = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return data
        if not chunk:
            return data
        data += chunk


def test_progress_on_a_terminal_is_one_updating_line_and_a_result_starts_clean():
    master, slave = pty.openpty()
    err = os.fdopen(slave, "w", encoding="utf-8")
    out = io.StringIO()
    printer = Printer(out=out, err=err)
    for percent in (10, 40, 90):
        printer(Progress("erasing (%d %%)…" % percent))
    printer("deleted a@x from the token")
    printer(Progress("left open"))
    end()  # what the command line does before it prints an error
    err.close()
    shown = read_all(master).decode()
    os.close(master)
    assert "\n" not in shown  # no line was scrolled out
    assert shown.count("\r") >= 4 and "erasing (90 %)…" in shown
    assert shown.endswith("\r\x1b[K")  # the line is cleared: the next output starts a line of its own
    assert out.getvalue() == "deleted a@x from the token\n"  # the result, on stdout alone


def test_progress_in_a_log_is_a_line_at_most_every_few_seconds():
    err = io.StringIO()  # no terminal
    printer = Printer(out=io.StringIO(), err=err)
    for percent in range(0, 100, 10):
        printer(Progress("erasing (%d %%)…" % percent))
    assert err.getvalue() == "erasing (0 %)…\n"  # the first; the rest came within the same seconds
