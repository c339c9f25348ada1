"""The pairing check answers only "match" or "no match"; it must not become a way to guess codes either: after
a few wrong codes in a minute it refuses, while right codes from the ordinary `add` keep working. Restarting the
token (pulling its power) buys no more guesses."""

import pytest
from test_sim import DEMO, expected_code
from totpfob.link import DeviceError, Link, wire
from totpfob.token import Token
from virtual_token import with_account


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    vt = with_account(tmp_path_factory.mktemp("check"), DEMO.add_args())
    yield vt
    vt.stop()


def test_many_adds_each_check_their_right_code(token):
    """Every `add` runs one check; a right code never counts against the limit."""
    for i in range(8):
        proc = token.cli("add", "--secret", "JBSWY3DPEHPK3PXP", "--label", "spare-%d" % i, check=True)
        assert "its code matches this computer's" in proc.stdout


def test_wrong_codes_are_refused_after_five_in_a_minute(token):
    with Link(str(token.link)) as link:
        device = Token(link)
        right = expected_code(DEMO, int(device.time()[0].now))
        wrong = "%06d" % ((int(right) + 500000) % 1000000)
        for _ in range(5):
            assert device.check(DEMO.issuer, DEMO.label, wrong) == (False, 0)
        with pytest.raises(DeviceError) as refused:
            device.check(DEMO.issuer, DEMO.label, wrong)
        assert refused.value.code == wire.E_BUSY and "wrong codes" in refused.value.detail
        with pytest.raises(DeviceError):  # the right code too: a guesser cannot tell the refusal apart
            device.check(DEMO.issuer, DEMO.label, right)
    proc = token.cli("list")
    assert proc.returncode == 0  # everything else still works



def test_a_restart_buys_no_more_guesses(tmp_path):
    vt = with_account(tmp_path, DEMO.add_args())
    try:
        with Link(str(vt.link)) as link:
            device = Token(link)
            wrong = "%06d" % ((int(expected_code(DEMO, int(device.time()[0].now))) + 500000) % 1000000)
            for _ in range(5):
                assert device.check(DEMO.issuer, DEMO.label, wrong) == (False, 0)
        vt.kill9()  # a power cut, then the token boots again from its flash
        vt.start("--keep")
        with Link(str(vt.link)) as link:
            with pytest.raises(DeviceError) as refused:
                Token(link).check(DEMO.issuer, DEMO.label, wrong)
        assert refused.value.code == wire.E_BUSY and "wrong codes" in refused.value.detail
    finally:
        vt.stop()
