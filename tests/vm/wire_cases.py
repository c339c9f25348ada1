"""Read wire-format cases as JSON lines on stdin, print one JSON line of result per case (CPython and MicroPython).

Bytes travel as hex. A case is one of
  {"op": "frame", "kind": k, "rid": r, "payload": hex}            -> {"frame": hex}
  {"op": "stream", "steps": [hex | "drop" | "drain", ...]}          -> {"found": [[[kind, rid, hex], ...] per step],
                                                                       "pending": n}
  {"op": "pack", "fmt": f, "values": [...]}                        -> {"payload": hex}
  {"op": "unpack", "fmt": f, "payload": hex}                       -> {"values": [...]}
where a hex step is fed to one Deframer, "drop" calls drop_partial() once if a frame is pending (as the token does
when the line went quiet), "drain" calls it until nothing is pending, and "drop-anyway" calls it unconditionally;
values of "y" fields are hex. A refused case gives
{"error": "ValueError"}.
"""

import json
from binascii import hexlify, unhexlify

import frames
import wire
from vmcase import cases


def _hex(data):
    return hexlify(data).decode()


def _frames(found):
    return [[kind, rid, _hex(payload)] for kind, rid, payload in found]


def _stream(steps):
    deframer = frames.Deframer()
    found = []
    for step in steps:
        if step == "drop":
            found.append(_frames(deframer.drop_partial() if deframer.pending() else []))
        elif step == "drop-anyway":
            found.append(_frames(deframer.drop_partial()))
        elif step == "drain":
            got = []
            while deframer.pending():
                got.extend(deframer.drop_partial())
            found.append(_frames(got))
        else:
            found.append(_frames(deframer.feed(unhexlify(step))))
    return {"found": found, "pending": deframer.pending()}


def run(case):
    op = case["op"]
    if op == "frame":
        return {"frame": _hex(frames.frame(case["kind"], case["rid"], unhexlify(case["payload"])))}
    if op == "stream":
        return _stream(case["steps"])
    fmt = case["fmt"]
    if op == "pack":
        values = [unhexlify(v) if code == "y" else v for code, v in zip(fmt, case["values"])]
        return {"payload": _hex(wire.pack(fmt, *values))}
    values = wire.unpack(fmt, unhexlify(case["payload"]))
    return {"values": [_hex(v) if code == "y" else v for code, v in zip(fmt, values)]}


def main():
    for case in cases():
        try:
            result = run(case)
        except ValueError:
            result = {"error": "ValueError"}
        print(json.dumps(result))


main()
