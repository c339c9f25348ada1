"""A totpfob command on a real pseudo-terminal, its question answered as a person at the keyboard would."""

import os
import select
import time


def answered(argv: list, prompt: bytes, answer: bytes, env: dict, patience: float = 120) -> str:
    """Run argv on a pty, type `answer` once `prompt` ([y/N]...) shows, and return all it said. The erase after
    a delete takes ~30 s at a real flash's speed: hence the patience."""
    import pty  # POSIX only: loaded by the tests that use a terminal, not by every test module

    pid, fd = pty.fork()
    if pid == 0:  # the child: totpfob on a terminal
        os.environ.update(env)
        os.execv(argv[0], argv)
    said = b""
    deadline = time.monotonic() + patience
    while prompt not in said and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.5)[0]:
            said += os.read(fd, 1024)
    os.write(fd, answer)
    ended = False
    while not ended and time.monotonic() < deadline:
        try:
            said += os.read(fd, 1024) if select.select([fd], [], [], 0.5)[0] else b""
        except OSError:  # the terminal closed: the program ended
            pass
        ended = os.waitpid(pid, os.WNOHANG)[0] != 0
    os.close(fd)
    assert ended, "%s did not end: %r" % (argv[-1], said)
    return said.decode("utf-8", "replace")
