"""The token answers each request by the protocol table: the reply's fields, or one numbered error whose detail
says why (an account with bad settings: "digits must be 6 to 10"; a check while the clock is lost: the clock).
A retried write is answered again, never run twice; no reply carries a secret. CPython and MicroPython alike."""

import hashlib
import hmac
import json
import struct

import pytest
import wire

KEY = bytes.fromhex("72bb98090958c6096b4e")
NOW = 1767225600


def record(algorithm=0, digits=6, period=30, issuer="GitHub", label="octocat", secret=KEY):
    """An account's record packed by hand as account.py documents it; any field may be out of range."""
    return (bytes([algorithm, digits]) + struct.pack("<I", period) + bytes([len(issuer.encode())])
            + issuer.encode() + bytes([len(label.encode())]) + label.encode() + bytes([len(secret)]) + secret)


def code(secret, unix, period=30, digits=6):
    """RFC 6238 with SHA-1, written here from the RFC."""
    mac = hmac.new(secret, struct.pack(">Q", unix // period), hashlib.sha1).digest()
    at = mac[-1] & 0x0F
    return "%0*d" % (digits, (struct.unpack(">I", mac[at:at + 4])[0] & 0x7FFFFFFF) % 10**digits)


def request(kind, *values, rid=1):
    return {"op": "request", "kind": kind, "rid": rid, "payload": wire.request(kind, *values).hex()}


def clock(now):
    return {"op": "clock", "now": now}


def talk(vm, tmp_path, *cases):
    """The replies, in order, as (kind, rid, payload bytes) or None, with the service's changed flag."""
    proc = vm.run("service_cases.py", str(tmp_path / "vault.bin"),
                  input="".join(json.dumps(case) + "\n" for case in cases), heap="110k")
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == len(cases), proc.stderr
    return [{"reply": (r["reply"][0], r["reply"][1], bytes.fromhex(r["reply"][2])) if r["reply"] else None,
             "changed": r["changed"], "waiting": r["waiting"]} if r["case"] == "request" else None for r in out]


def ok(kind, rid, *values):
    return (wire.OK, rid, wire.reply(kind, *values))


def error(rid, code, detail=""):
    return (wire.ERROR, rid, bytes([code]) + detail.encode())


@pytest.mark.parametrize("bad, why", [
    (record(digits=5), "digits must be 6 to 10"),
    (record(digits=11), "digits must be 6 to 10"),
    (record(algorithm=3), "algorithm must be sha1, sha256 or sha512"),
    (record(period=0), "period must be 1 s or more"),
    (record(label=""), "label is empty"),
    (record(label="x" * 65), "label and issuer take at most 64 bytes"),
    (record(secret=bytes(65)), "secret must be 1 to 64 bytes"),
    (record(label="ab").replace(b"\x02ab", b"\x02\xc3\x28"), "label and issuer must be UTF-8"),
    (record()[:-3], "record length mismatch"),
], ids=["digits-5", "digits-11", "algorithm-3", "period-0", "no-label", "label-65-bytes", "key-65-bytes",
        "label-not-utf8", "cut-short"])
def test_an_account_the_token_cannot_hold_is_refused_with_the_reason(vm, tmp_path, bad, why):
    got = talk(vm, tmp_path, request(wire.ADD, 0, bad, rid=7), request(wire.LIST, 0, rid=8))
    assert got[0] == {"reply": error(7, wire.E_INVALID, why), "changed": False, "waiting": -1}
    assert got[1]["reply"] == ok(wire.LIST, 8, 0, b"")  # nothing stored


def test_an_account_is_stored_as_it_came_and_listed_without_its_secret(vm, tmp_path):
    sent = record(algorithm=2, digits=10, period=60, issuer="Ügyfélkapu+", label="demo.user", secret=bytes(64))
    got = talk(vm, tmp_path, request(wire.ADD, 0, sent, rid=1), request(wire.LIST, 0, rid=2),
               request(wire.LIST, 1, rid=3))
    assert got[0] == {"reply": ok(wire.ADD, 1, 1), "changed": True, "waiting": -1}
    assert got[1] == {"reply": ok(wire.LIST, 2, 1, sent[:-65]), "changed": False, "waiting": -1}
    assert got[2]["reply"] == ok(wire.LIST, 3, 1, b"")
    stored = (tmp_path / "vault.bin").read_bytes()
    assert stored[6] == len(sent) and stored[7:7 + len(sent)] == sent  # byte for byte, behind its length


def answer(allowed):
    return {"op": "answer", "allowed": allowed}


def test_the_same_name_is_refused_unless_replacing_and_a_retried_add_runs_once(vm, tmp_path):
    first, second = record(), record(secret=b"\x01" * 20)
    got = talk(vm, tmp_path, request(wire.ADD, 0, first, rid=1), request(wire.ADD, 0, first, rid=1),
               request(wire.ADD, 0, first, rid=2), request(wire.ADD, wire.ADD_REPLACE, second, rid=3), answer(True),
               request(wire.HELLO, rid=4), request(wire.ADD, 0, first, rid=3))
    assert [g["reply"] for g in got[:5]] == [ok(wire.ADD, 1, 1), ok(wire.ADD, 1, 1), error(2, wire.E_EXISTS),
                                             None, ok(wire.ADD, 3, 1)]
    assert got[3]["waiting"] == 3  # replacing a key waits for the person holding the token
    assert [g["changed"] for g in got[:5]] == [True, False, False, False, True]  # the retry changed nothing
    # A HELLO starts a new session: the same request id is a new request.
    assert got[6]["reply"] == error(3, wire.E_EXISTS)


def test_a_new_account_and_a_replace_under_a_new_name_need_no_person(vm, tmp_path):
    got = talk(vm, tmp_path, request(wire.ADD, 0, record(), rid=1),
               request(wire.ADD, wire.ADD_REPLACE, record(label="hubot"), rid=2))
    assert [g["reply"] for g in got] == [ok(wire.ADD, 1, 1), ok(wire.ADD, 2, 2)]


@pytest.mark.parametrize("ask", [
    request(wire.WIPE, wire.WIPE_CONFIRM, rid=7),
    request(wire.DELETE, "GitHub", "octocat", rid=7),
    request(wire.RENAME, "GitHub", "octocat", "hubot", rid=7),
    request(wire.ADD, wire.ADD_REPLACE, record(secret=b"\x01" * 20), rid=7),
    request(wire.TIME_SET, NOW + 301, 0, 0, rid=7),
    request(wire.TIME_SET, NOW - 3600, 0, 0, rid=7),
], ids=["wipe", "delete", "rename", "replace", "clock-forward-5-min", "clock-back-1-h"])
def test_what_destroys_or_moves_waits_for_the_person_and_a_refusal_changes_nothing(vm, tmp_path, ask):
    got = talk(vm, tmp_path, request(wire.ADD, 0, record()), clock(NOW), ask, {"op": "wait", "left": 30},
               answer(False), dict(ask), request(wire.LIST, 0, rid=9), request(wire.TIME_GET, 0, rid=10))
    assert got[2] == {"reply": None, "changed": False, "waiting": 7}
    assert got[3]["reply"] == (wire.WAIT, 7, bytes([30]))  # the host is told it waits, and for how long
    assert got[4] == {"reply": error(7, wire.E_DENIED, "refused on the token"), "changed": False, "waiting": -1}
    assert got[5] == got[4]  # the same request again (a retry) gets the refusal, never a second question
    assert got[6]["reply"] == ok(wire.LIST, 9, 1, record()[:-1 - len(KEY)])  # the account, as it was
    assert got[7]["reply"] == ok(wire.TIME_GET, 10, NOW, NOW, 0, 0, 0)  # the clock, as it was


def test_an_allowed_request_runs_once(vm, tmp_path):
    got = talk(vm, tmp_path, request(wire.ADD, 0, record()), request(wire.DELETE, "GitHub", "octocat", rid=2),
               answer(True), request(wire.DELETE, "GitHub", "octocat", rid=2), request(wire.LIST, 0, rid=3))
    assert got[2] == {"reply": ok(wire.DELETE, 2), "changed": True, "waiting": -1}
    assert got[3] == {"reply": ok(wire.DELETE, 2), "changed": False, "waiting": -1}  # a retry: the cached OK
    assert got[4]["reply"] == ok(wire.LIST, 3, 0, b"")


def test_a_lost_clock_and_a_small_correction_are_set_without_a_person(vm, tmp_path):
    got = talk(vm, tmp_path, request(wire.TIME_SET, NOW, 0, 0, rid=1), request(wire.TIME_SET, NOW + 300, 0, 0, rid=2),
               request(wire.TIME_SET, NOW + 1, 0, 0, rid=3))
    assert [g["reply"] for g in got] == [ok(wire.TIME_SET, 1), ok(wire.TIME_SET, 2), ok(wire.TIME_SET, 3)]


def test_questions_about_what_is_not_there_are_refused_before_anyone_is_asked(vm, tmp_path):
    got = talk(vm, tmp_path, request(wire.ADD, 0, record()), request(wire.ADD, 0, record(label="hubot"), rid=2),
               request(wire.DELETE, "GitHub", "nobody", rid=3), request(wire.RENAME, "GitHub", "nobody", "x", rid=4),
               request(wire.RENAME, "GitHub", "octocat", "hubot", rid=5))
    assert [g["reply"] for g in got[2:]] == [error(3, wire.E_NOT_FOUND), error(4, wire.E_NOT_FOUND),
                                             error(5, wire.E_EXISTS)]


def test_a_check_needs_the_clock(vm, tmp_path):
    right = code(KEY, NOW)
    got = talk(vm, tmp_path, request(wire.ADD, 0, record()), request(wire.CHECK, "GitHub", "octocat", right, rid=2),
               clock(NOW), request(wire.CHECK, "GitHub", "octocat", right, rid=3),
               request(wire.CHECK, "GitHub", "octocat", code(KEY, NOW - 30), rid=4),
               request(wire.CHECK, "GitHub", "nobody", right, rid=5))
    assert got[1]["reply"] == error(2, wire.E_CLOCK_LOST)
    assert got[3]["reply"] == ok(wire.CHECK, 3, 1, 0)
    assert got[4]["reply"] == ok(wire.CHECK, 4, 1, -1)
    assert got[5]["reply"] == error(5, wire.E_NOT_FOUND)


def test_wrong_codes_are_limited(vm, tmp_path):
    wrong = "%06d" % ((int(code(KEY, NOW)) + 1) % 10**6)
    checks = [request(wire.CHECK, "GitHub", "octocat", wrong, rid=10 + i) for i in range(6)]
    got = talk(vm, tmp_path, request(wire.ADD, 0, record()), clock(NOW), *checks,
               request(wire.CHECK, "GitHub", "octocat", code(KEY, NOW), rid=20))
    assert [g["reply"] for g in got[2:7]] == [ok(wire.CHECK, 10 + i, 0, 0) for i in range(5)]
    assert got[7]["reply"] == error(15, wire.E_BUSY, "too many wrong codes; wait a minute")
    assert got[8]["reply"] == error(20, wire.E_BUSY, "too many wrong codes; wait a minute")


def test_the_wrong_code_limit_survives_a_restart_and_slides(vm, tmp_path):
    wrong = "%06d" % ((int(code(KEY, NOW)) + 1) % 10**6)

    def check(at, rid):
        return [clock(at), request(wire.CHECK, "GitHub", "octocat", wrong, rid=rid)]

    # Three misses, then two more 50 s later right at the edge of a fixed window: a restart in between.
    got = talk(vm, tmp_path, request(wire.ADD, 0, record()), *check(NOW, 1), *check(NOW + 1, 2),
               *check(NOW + 2, 3), {"op": "restart"}, *check(NOW + 50, 4), *check(NOW + 51, 5),
               *check(NOW + 52, 6), {"op": "restart"}, *check(NOW + 59, 7), *check(NOW + 60, 8),
               *check(NOW + 60, 9))
    by_rid = {g["reply"][1]: g["reply"] for g in got[1:] if g and g["reply"]}
    for rid in (1, 2, 3, 4, 5):
        assert by_rid[rid] == ok(wire.CHECK, rid, 0, 0)
    busy = error(0, wire.E_BUSY, "too many wrong codes; wait a minute")[2]
    assert by_rid[6][2] == busy  # 5 in the last minute, one restart in between: no sixth guess
    assert by_rid[7][2] == busy  # nor after a second restart
    assert by_rid[8] == ok(wire.CHECK, 8, 0, 0)  # the first miss left the window: room for one
    assert by_rid[9][2] == busy  # ... and only one: no burst at the edge of a window


def test_rename_delete_wipe_and_their_refusals(vm, tmp_path):
    got = talk(vm, tmp_path, request(wire.ADD, 0, record()),
               request(wire.RENAME, "GitHub", "octocat", "x" * 65, rid=2),
               request(wire.RENAME, "GitHub", "octocat", "hubot", rid=3), answer(True),
               request(wire.DELETE, "GitHub", "octocat", rid=4),
               request(wire.WIPE, b"WIPE SOME ACCOUNTS", rid=5),
               request(wire.LIST, 0, rid=6),
               request(wire.WIPE, wire.WIPE_CONFIRM, rid=7), answer(True),
               request(wire.LIST, 0, rid=8))
    assert got[1]["reply"] == error(2, wire.E_INVALID, "label and issuer take at most 64 bytes")
    assert got[2] == {"reply": None, "changed": False, "waiting": 3}
    assert got[3] == {"reply": ok(wire.RENAME, 3), "changed": True, "waiting": -1}
    assert got[4]["reply"] == error(4, wire.E_NOT_FOUND)
    assert got[5]["reply"] == error(5, wire.E_MALFORMED, "malformed request")
    assert got[6]["reply"] == ok(wire.LIST, 6, 1, record(label="hubot")[:-1 - len(KEY)])
    assert got[7]["waiting"] == 7
    assert got[8] == {"reply": ok(wire.WIPE, 7), "changed": True, "waiting": -1}
    assert got[9]["reply"] == ok(wire.LIST, 8, 0, b"")


def test_an_allowed_delete_replace_and_wipe_tell_the_host_to_wait_while_they_erase(vm, tmp_path):
    """Erasing a removed key takes seconds on a board: the service sends WAIT for the request it serves as the
    erase begins (and about every second after, tests/test_erase.py), so the host waits on instead of giving up.
    Every write tells so as it begins (a vault of 100 accounts takes seconds on a slow flash); a question asked
    sends no work WAIT yet."""
    cases = [request(wire.ADD, 0, record()), request(wire.ADD, 0, record(label="hubot"), rid=2),
             request(wire.DELETE, "GitHub", "octocat", rid=3), answer(True),
             request(wire.ADD, wire.ADD_REPLACE, record(label="hubot", secret=b"\x01" * 10), rid=4), answer(True),
             request(wire.RENAME, "GitHub", "hubot", "robot", rid=5), answer(True),
             request(wire.WIPE, wire.WIPE_CONFIRM, rid=6), answer(True)]
    proc = vm.run("service_cases.py", str(tmp_path / "vault.bin"),
                  input="".join(json.dumps(case) + "\n" for case in cases), heap="110k")
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == len(cases), proc.stderr
    assert [o["reply"][:2] for o in out[3:10:2]] == [[wire.OK, 3], [wire.OK, 4], [wire.OK, 5], [wire.OK, 6]]
    assert [o["waits"] for o in out] == [[1], [2], [], [3, 3], [], [4, 4], [], [5], [], [6, 6]]


def test_time_is_read_and_set(vm, tmp_path):
    got = talk(vm, tmp_path, request(wire.TIME_GET, 0, rid=1),
               request(wire.TIME_SET, NOW, wire.SET_DRIFT, -1500, rid=2),
               request(wire.TIME_GET, 0, rid=3), request(wire.TIME_SET, -1, 0, 0, rid=4))
    assert got[0]["reply"] == ok(wire.TIME_GET, 1, 0, 0, 1, 0, 0)  # lost
    assert got[1] == {"reply": ok(wire.TIME_SET, 2), "changed": True, "waiting": -1}
    assert got[2]["reply"] == ok(wire.TIME_GET, 3, NOW, NOW, 0, -1500, NOW)
    assert got[3]["reply"] == error(4, wire.E_MALFORMED, "malformed request")


def test_hello_unknown_malformed_and_maintenance(vm, tmp_path):
    got = talk(vm, tmp_path, request(wire.HELLO, rid=1),
               {"op": "request", "kind": 0x55, "rid": 2, "payload": ""},
               {"op": "request", "kind": wire.LIST, "rid": 3, "payload": "00"},
               {"op": "request", "kind": wire.ADD, "rid": 4, "payload": ""},
               request(wire.MAINTENANCE, rid=5), answer(False), request(wire.MAINTENANCE, rid=6), answer(True))
    kind, rid, payload = got[0]["reply"]
    info = json.loads(payload)
    assert (kind, rid) == (wire.OK, 1)
    assert info["protocol"] == wire.PROTOCOL and info["board"] == "test" and info["battery"] == 42
    assert info["rtc"] == "PCF8563"  # the host bounds the drift it learns by the chip
    assert (info["accounts"], info["free"], info["clock"], info["vault"]) == (0, 100, "lost", "ok")
    assert got[1]["reply"] == error(2, wire.E_UNKNOWN, "unknown request 85")
    assert got[2]["reply"] == error(3, wire.E_MALFORMED, "malformed request")
    assert got[3]["reply"] == error(4, wire.E_MALFORMED, "malformed request")
    assert got[4] == {"reply": None, "changed": False, "waiting": 5}  # answered once the person holding it did
    assert got[5]["reply"] == error(5, wire.E_DENIED, "refused on the token")
    assert got[7]["reply"] == ok(wire.MAINTENANCE, 6)


def test_no_reply_carries_the_secret(vm, tmp_path):
    secret = b"\xa5\x5a" * 16
    got = talk(vm, tmp_path, request(wire.ADD, 0, record(secret=secret)), clock(NOW),
               request(wire.LIST, 0, rid=2), request(wire.HELLO, rid=3),
               request(wire.CHECK, "GitHub", "octocat", "000000", rid=4),
               request(wire.ADD, 0, record(secret=secret), rid=5))
    for answer in got:
        if answer and answer["reply"]:
            assert secret[:8] not in answer["reply"][2]
