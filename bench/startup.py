"""Figure 4: boot to first code on the virtual token, against a bare MicroPython start; and what each module
main.py pulls in costs at boot (heap kept, time), from bench/vm/boot_imports.py."""

import ast
import subprocess
import time
from pathlib import Path

from totpfob.samples import DEMO_LABEL
from totpfob.sim import DEFAULT_HEAP

from bench.common import BOARDS, FIRMWARE, figure, median, run_vm, tool
from bench.footprint import compile_file
from bench.virtual import copy_state, virtual_token, write_vault

SIM = BOARDS / "sim"


def _module_file(name: str):
    """(path, kind) of a module the sim's boot imports, or None for one built into MicroPython."""
    if name == "board":
        return SIM / "board.py", "board"
    relative = Path(*name.split("."))
    for root, kind in ((FIRMWARE, "firmware"), (SIM, "sim hardware")):
        for path in (root / relative.with_suffix(".py"), root / relative / "__init__.py"):
            if path.exists():
                return path, kind
    return None


def _absolute(name: str, path: Path, node: ast.ImportFrom) -> str:
    """The module a `from ... import` in module `name` (file `path`) names, relative imports resolved."""
    if not node.level:
        return node.module
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _top_level_imports(name: str, path: Path) -> list:
    """Modules a file imports when it is imported: statements at module level, including inside try/if (an
    import inside a function runs later, if ever: otp's SHA-512 is loaded only for a SHA-512 account)."""
    names = []
    pending = list(ast.parse(path.read_text()).body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(name, path, node)
            names.append(module)
            names += [module + "." + alias.name for alias in node.names]
        elif isinstance(node, (ast.Try, ast.If)):
            pending = list(node.body) + pending  # not the except/else branches: the board has what they lack
    out = []
    for name in names:  # a package before its modules, as the import system loads them
        parts = name.split(".")
        out += [".".join(parts[: i + 1]) for i in range(len(parts))]
    return [name for name in out if _module_file(name)]


def import_order() -> list:
    """[(module, kind)] of what main.py pulls in, each after its own imports (so each cost is its own)."""
    order = []

    def visit(name):
        if any(name == seen for seen, _ in order):
            return
        path, kind = _module_file(name)
        for dependency in _top_level_imports(name, path):
            visit(dependency)
        if not any(name == seen for seen, _ in order):
            order.append((name, kind))

    for name in _top_level_imports("main", FIRMWARE / "main.py"):
        visit(name)
    return order


def _compiled(workdir: Path) -> Path:
    """Everything the sim's flash and hardware hold, as .mpy in one directory (drivers are imported lazily)."""
    out = workdir / "flash"
    sources = [(path, path.relative_to(FIRMWARE)) for path in FIRMWARE.rglob("*.py") if path.name != "main.py"]
    sources += [(path, path.relative_to(SIM)) for path in SIM.rglob("*.py") if path.name != "boot.py"]
    for path, target in sources:
        compile_file(str(path), target.as_posix(), out, "sim")
    return out


def boot_steps(size, workdir: Path) -> dict:
    """Per step of the boot (each import, board setup, app, first draw): median us, heap kept, I2C bytes."""
    order = import_order()
    flash = _compiled(workdir)
    here = workdir / "cwd"
    here.mkdir(parents=True, exist_ok=True)
    write_vault(here / "vault.bin", DEMO_LABEL)
    runs = [run_vm("boot_imports.py", ",".join(name for name, _ in order), path=[flash], heap=DEFAULT_HEAP,
                   cwd=here) for _ in range(size.repeat)]
    kinds = dict(order)
    steps = []
    for same in zip(*[[line for line in run if "step" in line] for run in runs]):  # one step across the runs
        step = dict(same[0], us=median([s["us"] for s in same]))
        if "emulated_us" in step:
            step["emulated_us"] = median([s["emulated_us"] for s in same])
        name = step["step"]
        step["kind"] = kinds.get(name[len("import "):], "boot") if name.startswith("import ") else "boot"
        steps.append(step)
    final = [line for line in runs[0] if "screens" in line][0]
    if "code" not in final["screens"]:
        raise RuntimeError("the first draw showed %r, not a code" % final["screens"])
    return {"steps": steps, "screens": final["screens"]}


def _boot_to_code(workdir: Path, state: Path) -> float:
    """Seconds from the VM's exec (seen in /proc) to its first code screen (host time the VM stamped on it)."""
    with virtual_token(workdir, copy_state(state, workdir / "state"), "--keep") as token:
        deadline = time.monotonic() + 20
        while token.vm_pid() is None:
            if time.monotonic() > deadline or not token.alive():
                raise RuntimeError("the simulator started no VM")
            time.sleep(0.0005)
        started = time.time()
        screen = token.find_screen(lambda s: s.get("screen") == "code", 20)
        if screen is None:
            raise RuntimeError("the virtual token showed no code: %s" % token.serial_text()[-400:])
        return screen["t"] - started


def _bare_start() -> float:
    """Seconds from a bare VM's exec (when Popen returns) to its first line of Python."""
    proc = subprocess.Popen([tool("micropython"), "-X", "heapsize=" + DEFAULT_HEAP, "-c",
                             "import time; print(repr(time.time()))"], stdout=subprocess.PIPE, text=True)
    started = time.time()
    out, _ = proc.communicate(timeout=30)
    return float(out) - started


def measure(size, workdir: Path, state: Path) -> tuple:
    """Figure 4, and the boot steps figure 7 builds on."""
    boots = [_boot_to_code(workdir / ("boot%d" % i), state) for i in range(size.repeat)]
    bare = [_bare_start() for _ in range(size.inner_repeat)]
    steps = boot_steps(size, workdir / "steps")
    return figure(
        "boot_to_code", "Virtual token: VM start to first code on screen", median(boots) * 1e3, "ms",
        "bare MicroPython start to its first line", median(bare) * 1e3,
        notes="median of %d boots with --keep on a flash holding one account (the VM's exec seen in /proc, the "
              "code's time stamped inside the VM); the bare VM runs one print. The pip package's `micropython` "
              "runs the VM inside a CPython process: both figures include that process's start" % size.repeat,
        boots_ms=[b * 1e3 for b in boots]), steps
