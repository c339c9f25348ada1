"""The host tool on Windows and macOS, tried here: every command but the simulator runs with the POSIX-only modules
(pty, termios, tty, fcntl) unimportable and select cut down to Windows' (sockets only), as on Windows; Hungarian letters on a console code page that lacks
some of them degrade to their plain forms, never to a traceback; a Windows port name is taken as a port.

What this cannot try: Windows' own serial backend and COM-port enumeration (pyserial's), its console, its paths.
"""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import totpfob
from totpfob.samples import DEMO_QR
from virtual_token import VirtualToken

BLOCKED = ("pty", "termios", "tty", "fcntl")
# Windows has a `select` module, but its select() takes sockets only and it has no poll, epoll or kqueue: what the
# standard library's servers (`totpfob gui`) need works there, a terminal or pipe waited on does not. Our own code
# outside the simulator imports no select at all (test_no_module_but_the_simulators_waits_on_a_terminal).
NOT_ON_WINDOWS = ("poll", "epoll", "devpoll", "kqueue", "kevent")

# Modules with their own Windows code (pyserial's backend, subprocess) are loaded first, as they would load there;
# then the POSIX-only modules become unimportable, select becomes Windows' and the command line runs.
WINDOWS_LIKE = """
import subprocess, sys
import serial, serial.tools.list_ports
for name in %r:
    sys.modules[name] = None
import select
for name in %r:
    if hasattr(select, name):
        delattr(select, name)
from totpfob.cli import main
sys.exit(main(sys.argv[1:]))
""" % (BLOCKED, NOT_ON_WINDOWS)

# The virtual token's code (`totpfob sim` and `demo` load it): the simulator drives a pseudo-terminal. Its package
# itself is imported by the command line (for `sim`'s options) and must import anywhere.
SIMULATOR_ONLY = ("totpfob.sim.", "totpfob.demo")


def windows_like(*argv: str, encoding: str = "utf-8", timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WINDOWS_LIKE, *argv], capture_output=True, timeout=timeout,
                          env=_env(encoding))


def _env(encoding: str) -> dict:
    import os

    return dict(os.environ, TZ="UTC", PYTHONIOENCODING=encoding)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode != 0 and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_every_module_but_the_simulators_process_imports_without_posix_modules():
    names = [m.name for m in pkgutil.walk_packages(totpfob.__path__, "totpfob.") if not m.name.startswith(SIMULATOR_ONLY)]
    script = WINDOWS_LIKE.split("from totpfob.cli")[0] + "import importlib\nfor n in %r:\n    importlib.import_module(n)\n" % names
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=_env("utf-8"))
    assert proc.returncode == 0, proc.stderr
    assert "totpfob.commands" in names and "totpfob.deploy" in names and "totpfob.sim" in names


def test_no_module_but_the_simulators_waits_on_a_terminal():
    """select() on a pipe or a terminal does not exist on Windows: only the virtual token's code may use it."""
    root = Path(totpfob.__file__).parent
    users = []
    for path in root.rglob("*.py"):
        name = "totpfob." + ".".join(path.relative_to(root).with_suffix("").parts)
        if name.startswith(SIMULATOR_ONLY):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            imported = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                        [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            # (pty, termios... : the import test above fails for any not guarded by an ImportError handler.)
            if any(module.split(".")[0] in ("select", "selectors") for module in imported):
                users.append(name)
    assert users == []


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["boards"], ["add", "--help"], ["time", "--help"],
                                  ["gui", "--help"]])
def test_commands_that_need_no_token_run(argv):
    proc = windows_like(*argv)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.strip()


@pytest.mark.parametrize("command", ["sim", "demo"])
def test_the_simulator_says_in_one_line_that_it_needs_linux_or_macos(command):
    err = one_line_error(windows_like(command))
    assert "Linux or macOS" in err


def test_a_windows_port_name_is_taken_as_a_port():
    err = one_line_error(windows_like("--port", "COM5", "list"))
    assert "COM5" in err


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    started = VirtualToken(tmp_path_factory.mktemp("portable"), snapshot=False).start()
    yield started
    started.stop()


def test_a_token_is_provisioned_and_listed_without_posix_modules(token):
    port = str(token.link)
    added = windows_like("--port", port, "add", "--qr", str(DEMO_QR))
    assert added.returncode == 0, added.stderr.decode()
    assert "code now" in added.stdout.decode()
    listed = windows_like("--port", port, "list", "--json")
    assert listed.returncode == 0 and "demo.user@ugyfelkapu.gov.hu" in listed.stdout.decode()
    for argv in (["info"], ["time", "status"], ["time", "sync"]):
        proc = windows_like("--port", port, *argv)
        assert proc.returncode == 0, (argv, proc.stderr.decode())


@pytest.fixture(scope="module")
def hungarian(token):
    """The token with an account whose label has letters most code pages lack (ő), added on a cp437 console."""
    added = windows_like("--port", str(token.link), "add", "--secret", "JBSWY3DPEHPK3PXP", "--label",
                         "Kővári Józsefné", "--issuer", "Ügyfélkapu+", encoding="cp437")
    assert added.returncode == 0, added.stderr.decode("cp437")
    assert "Kovári Józsefné" in added.stdout.decode("cp437")
    return token


@pytest.mark.parametrize("encoding, shown", [("cp437", "Kovári Józsefné"),  # no ő in either
                                             ("cp1252", "Kovári Józsefné"),
                                             ("utf-8", "Kővári Józsefné")])
def test_hungarian_letters_degrade_on_a_code_page_that_lacks_them(hungarian, encoding, shown):
    listed = windows_like("--port", str(hungarian.link), "list", encoding=encoding)
    assert listed.returncode == 0, listed.stderr.decode(encoding)
    assert shown in listed.stdout.decode(encoding)
