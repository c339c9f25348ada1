"""The virtual token's chips live outside its VM (totpfob.sim.bus), reached through the VM's I2C shim
(boards/sim/simhw.py): the firmware's drivers work through it as through machine.I2C, a missing chip is a NACK,
the chips outlive a reset of the VM, and the VM's heap pays nothing per transaction.
"""

import calendar
import json
import os
import threading
import time

import pytest
from conftest import BOARDS
from totpfob.sim import bus as simbus
from totpfob.sim import render
from virtual_token import VirtualToken

EPOCH_2000 = calendar.timegm((2000, 1, 1, 0, 0, 0))


def panel_hex(panel) -> str:
    """The panel's lit pixels as the VM's case script writes a frame buffer: hex, row by row, MSB first."""
    rows = render.lit(render.picture(panel))
    return bytes(int("".join(map(str, row[x:x + 8])), 2) for row in rows for x in range(0, len(row), 8)).hex()


def run_vm(vm, chips: simbus.SimBus, tmp_path, *cases: str) -> tuple:
    """Run tests/vm/simbus_cases.py with `chips` served to it over two FIFOs; (its cases by name, reports)."""
    requests, answers = tmp_path / "requests", tmp_path / "answers"
    for fifo in (requests, answers):
        if not fifo.exists():
            os.mkfifo(fifo)
    reports = []

    def serve():
        # In the order the shim opens them: each open waits for the VM's.
        ours = os.open(requests, os.O_RDONLY), os.open(answers, os.O_WRONLY)
        chips.serve(*ours, lambda info, panel: reports.append((info, panel_hex(panel))))

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    proc = vm.run("simbus_cases.py", str(requests), str(answers), ",".join(cases), extra_path=[BOARDS / "sim"],
                  heap="256k", timeout=60)
    server.join(5)
    assert not server.is_alive(), "the bus was not left when the VM exited"
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return {line.pop("case"): line for line in lines}, reports


@pytest.fixture
def chips(tmp_path) -> simbus.SimBus:
    return simbus.SimBus(tmp_path / "rtc.json", chip="ds3231", offset_s=-3600.0, reset=True)


def saved_unix_time(path) -> float:
    """The RTC's time now, from the state the simulator saved (independent of the chip object)."""
    state = json.loads(path.read_text())
    clock = state["clock"]
    return EPOCH_2000 + clock["seconds"] + (time.time() + state["warp_s"] - clock["since"])


def test_the_rtc_driver_reads_and_sets_the_chip_outside_the_vm(micropython_vm, chips, tmp_path):
    cases, _ = run_vm(micropython_vm, chips, tmp_path, "rtc")
    case = cases["rtc"]
    read = calendar.timegm(tuple(case["before"]) + (0, 0, 0))
    assert abs(read - (time.time() - 3600)) <= 3  # the hour off it was started with
    assert case["lost"] is False and case["lost_after"] is False
    assert case["after"] == [2031, 5, 6, 7, 8, 9]
    set_to = calendar.timegm((2031, 5, 6, 7, 8, 9, 0, 0, 0))
    assert 0 <= chips.rtc.unix_time() - set_to < 3
    # Saved at the write (its coin cell): a restarted simulator finds the new time.
    assert 0 <= saved_unix_time(tmp_path / "rtc.json") - set_to < 3
    again = simbus.SimBus(tmp_path / "rtc.json")
    assert again.rtc.state()["chip"] == "DS3231" and 0 <= again.rtc.unix_time() - set_to < 3


def test_a_missing_chip_is_a_nack_raising_enodev(micropython_vm, chips, tmp_path):
    cases, _ = run_vm(micropython_vm, chips, tmp_path, "absent")
    errors = cases["absent"]["errors"]
    assert errors.pop("present") is None
    assert set(errors.values()) == {19}  # ENODEV, as the ESP32 port raises
    assert cases["absent"]["scan"] == [0x3C, 0x68]


def test_each_reported_screen_carries_the_pixels_of_that_moment(micropython_vm, chips, tmp_path):
    cases, reports = run_vm(micropython_vm, chips, tmp_path, "screens")
    drawn = cases["screens"]["drawn"]
    assert len(set(drawn)) == 3
    assert [info["code"] for info, _ in reports] == ["123456", "987654"]
    # Each report shows its own drawing (not the one drawn after it), as the panel lit it.
    assert [px for _, px in reports] == drawn[:2]
    assert panel_hex(chips.panel()) == drawn[2]


def test_the_oled_keeps_its_ram_across_a_vm_reset(micropython_vm, chips, tmp_path):
    cases, _ = run_vm(micropython_vm, chips, tmp_path, "screens")
    ram = bytes(chips.oled.gddram)
    run_vm(micropython_vm, chips, tmp_path, "init_only")  # the firmware restarted: same chip, set up again
    assert bytes(chips.oled.gddram) == ram
    assert not chips.oled.is_on  # dark until the firmware's first show()
    assert panel_hex(chips.panel()) == "0" * (128 * 64 // 4)


def test_transactions_allocate_nothing_on_the_vm_and_answer_quickly(micropython_vm, chips, tmp_path):
    cases, _ = run_vm(micropython_vm, chips, tmp_path, "garbage", "latency")
    assert cases["garbage"]["failed"] is None
    # A pipe round trip to this process is tens of microseconds; the app reads the RTC ~10x a second and
    # `time sync` polls it for the second's edge every millisecond.
    assert cases["latency"]["us"] < 2000


def test_the_virtual_board_alone_fits_a_small_heap(tmp_path):
    """The VM holds no chip emulators: a freshly flashed virtual board (its I2C shim, buttons, flash and REPL)
    comes up and computes on a heap under the 58 KiB it took with the chips inside, so the sim's heap is the
    firmware's (issue 7)."""
    vt = VirtualToken(tmp_path / "sim", "--blank", "--heap", "40k")
    try:
        vt.start()
        port = os.open(vt.link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            seen = b""
            deadline = time.monotonic() + 10
            asked = False
            while b"\n42" not in seen:
                assert time.monotonic() < deadline, seen.decode(errors="replace")
                try:
                    seen += os.read(port, 4096)
                except BlockingIOError:
                    time.sleep(0.02)
                if not asked and b">>> " in seen:
                    assert b"Error" not in seen, seen.decode(errors="replace")
                    os.write(port, b"print(6 * 7)\r\n")
                    asked = True
        finally:
            os.close(port)
    finally:
        vt.stop()
