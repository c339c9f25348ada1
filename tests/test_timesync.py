"""`totpfob time sync` / `time status` and drift calibration, measured independently of timesync's own
measurement: the emulated chip's saved state tells its time at any host time (tests/test_clock.py chip_offset).

A month passes in no time: `warp SECONDS` on the sim's control FIFO advances the RTC's real time, and the host
side runs in-process (Link + Token) with a host clock that is time.time() plus the same warp.
"""

import json
import time

import pytest
from test_clock import KEY, LABEL, assert_code_right, chip_offset, chip_state
from totpfob import timesync
from totpfob.account import Account
from totpfob.link import Link
from totpfob.token import Token
from virtual_token import VirtualToken

MONTH = 30 * 86400
# The sync's acceptance is 0.5 s; on the virtual token it lands within a few ms (outliers of ~75 ms on a busy
# 2-CPU machine). 0.25 s leaves room for a loaded CI runner and still catches a chip set half a second out of
# phase (the PCF8563's 0.51 s first tick).
SYNC_TOLERANCE_S = 0.25


@pytest.fixture
def make_token(request, tmp_path):
    def make(*flags: str) -> VirtualToken:
        vt = VirtualToken(tmp_path / "sim")
        request.addfinalizer(vt.stop)
        return vt.start(*flags).answer_questions()  # a person allows a clock jump of over 5 minutes
    return make


def status_json(vt: VirtualToken) -> dict:
    return json.loads(vt.cli("time", "status", "--json", check=True).stdout)


@pytest.mark.parametrize("chip,flags", [
    ("ds3231", ["--rtc-offset", "3600"]),
    ("ds3231", ["--rtc-lost"]),
    ("ds3231", ["--rtc-offset", "0.6"]),
    ("pcf8563", ["--rtc-offset", "0.6"]),
    ("pcf8563", ["--rtc-offset", "-3600"]),
])
def test_time_sync_sets_the_chip_within_half_a_second(make_token, chip, flags):
    vt = make_token("--rtc-chip", chip, *flags)
    before = status_json(vt)
    assert before["sync_advisable"]  # never synced (and lost, or off)
    if "--rtc-lost" in flags:
        assert before["clock"] == "lost" and before["offset_s"] is None
    else:
        started_off = float(flags[1])
        assert abs(chip_offset(vt.state) - started_off) < 0.05
        assert abs(before["offset_s"] - started_off) < SYNC_TOLERANCE_S  # status measures what the chip does
    vt.cli("time", "sync", check=True)
    assert abs(chip_offset(vt.state)) <= SYNC_TOLERANCE_S
    after = status_json(vt)
    assert after["clock"] == "ok" and abs(after["offset_s"] - chip_offset(vt.state)) < SYNC_TOLERANCE_S
    assert not after["sync_advisable"] and 0 <= after["since_sync_s"] <= 10
    assert chip_state(vt.state)["chip"] == chip.upper()


def let_pass(vt: VirtualToken, warp: list, seconds: float) -> None:
    """`seconds` pass at once for the token's RTC and for the host clock the test hands to timesync."""
    warp[0] += seconds
    with open(vt.control, "w") as control:
        control.write("warp %d\n" % seconds)
    deadline = time.monotonic() + 5
    while chip_state(vt.state).get("warp_s") != warp[0]:
        assert time.monotonic() < deadline, "the sim did not warp"
        time.sleep(0.05)


@pytest.mark.parametrize("ppm", [20, -20])
def test_drift_learnt_over_a_month_keeps_the_next_month_within_a_second(make_token, ppm):
    vt = make_token("--rtc-drift-ppm", str(ppm))
    warp = [0.0]

    def host_clock() -> float:
        return time.time() + warp[0]

    gained = MONTH * ppm / 1e6  # +20 ppm: 51.84 s a month
    with Link(str(vt.link)) as link:
        token = Token(link)
        token.add(Account(LABEL, "", KEY).record())
        _, synced = timesync.sync(token, host_clock)
        assert abs(synced.offset_s) < SYNC_TOLERANCE_S and synced.drift_ppm == 0

        let_pass(vt, warp, MONTH)
        drifted = timesync.status(token, host_clock)
        assert abs(chip_offset(vt.state) - gained) < 0.1
        assert abs(drifted.offset_s - gained) < 0.2  # nothing corrects it yet: the test has teeth
        assert drifted.advisable

        _, calibrated = timesync.sync(token, host_clock)
        assert abs(calibrated.drift_ppm - ppm) < 0.5
        assert abs(calibrated.offset_s) < SYNC_TOLERANCE_S

        let_pass(vt, warp, MONTH)
        after = timesync.status(token, host_clock)
        assert abs(after.raw_offset_s - gained) < 0.2  # the chip drifted as much again...
        assert abs(after.offset_s) <= 1.0  # ...and the token's clock did not
        # Independently of timesync's edge measurement: the chip's time from its state, less the token's
        # own correction.
        device, _ = token.time(clock=host_clock)
        assert abs(chip_offset(vt.state) + device.now - device.raw) <= 1.0
        assert after.as_dict()["since_sync_s"] == pytest.approx(MONTH, abs=30)
    # What the person sees: the code on the screen is right for the true (warped) time.
    shown = time.time()
    assert_code_right(vt.wait_screen(lambda s: s["screen"] == "code", after=shown + 1), warp=warp[0])


# --- the host's side, on its own: what status says and what drift it learns, with the host clock injected ---

AT = 4102444800.0  # 2100-01-01: far from time.time(), so nothing here may read the real clock


def status_at(offset_s=0.3, lost=False, last_sync=AT - 10 * 86400, raw_offset_s=None) -> timesync.Status:
    raw = offset_s if raw_offset_s is None else raw_offset_s
    return timesync.Status(lost, offset_s, raw, 0.0, int(last_sync), 0.002, AT)


def test_status_advises_a_sync_when_lost_off_by_a_second_never_or_long_ago_synced():
    assert not status_at().advisable
    assert status_at(lost=True).advisable
    assert status_at(offset_s=-1.2).advisable
    assert status_at(last_sync=0).advisable
    assert status_at(last_sync=AT - 181 * 86400).advisable
    report = status_at().as_dict()
    assert report["since_sync_s"] == 10 * 86400 and report["sync_advisable"] is False
    assert set(report) >= {"clock", "offset_s", "drift_ppm", "since_sync_s", "sync_advisable", "last_sync"}
    assert status_at(lost=True).as_dict()["offset_s"] is None


@pytest.mark.parametrize("ppm", [20, -20, 2.5, 150])
def test_drift_learnt_from_a_month(ppm):
    # A chip running ppm fast gains this much in a month of true time (the chip counts MONTH + gained).
    gained = MONTH * ppm / 1e6
    before = status_at(offset_s=gained, last_sync=AT - MONTH)
    learnt = timesync.new_drift_ppb(before, AT)
    # Per 10^9 of the chip's own seconds, as the token applies it: exactly what the chip gained.
    assert learnt == pytest.approx(gained / (MONTH + gained) * 1e9, abs=1)
    assert abs(learnt / 1000 - ppm) < 0.05  # the two differ by ppm^2 / 10^6


def test_no_drift_learnt_from_too_little_or_nonsense():
    assert timesync.new_drift_ppb(status_at(last_sync=AT - 3600, offset_s=0.05), AT) is None  # an hour: noise
    assert timesync.new_drift_ppb(status_at(lost=True), AT) is None
    assert timesync.new_drift_ppb(status_at(last_sync=0), AT) is None
    # An hour off after a month is 1389 ppm: the host's clock jumped, not the token's crystal.
    assert timesync.new_drift_ppb(status_at(offset_s=3600, last_sync=AT - MONTH), AT) is None



def test_sync_and_status_warn_when_the_computer_clock_is_not_synchronised(tmp_path, monkeypatch, capsys):
    """The token can only be as right as the computer that sets it: say so when the OS reports its clock
    unsynchronised (Linux adjtimex TIME_ERROR), and stay quiet when it does not."""
    from totpfob import cli

    assert isinstance(timesync.host_clock_unsynchronised(), bool)  # the real query answers, never raises
    vt = VirtualToken(tmp_path).start()
    try:
        for unsynchronised in (True, False):
            monkeypatch.setattr(timesync, "host_clock_unsynchronised", lambda flag=unsynchronised: flag)
            for command in (["time", "sync"], ["time", "status"]):
                assert cli.main(["--port", str(vt.link), *command]) == 0
                warned = "not synchronised" in capsys.readouterr().out
                assert warned == unsynchronised, (command, unsynchronised)
    finally:
        vt.stop()
