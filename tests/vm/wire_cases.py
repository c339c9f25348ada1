"""Read wire-format cases as JSON lines on stdin, print one JSON line of result per case (CPython and MicroPython).

Bytes travel as hex. A case is one of
  {"op": "frame", "kind": k, "rid": r, "payload": hex}            -> {"frame": hex}
  {"op": "stream", "steps": [hex | "drop" | "drain", ...]}          -> {"found": [[[kind, rid, hex], ...] per step],
                                                                       "pending": n}
  {"op": "pack", "fmt": f, "values": [...]}                        -> {"payload": hex}
  {"op": "unpack", "fmt": f, "payload": hex}                       -> {"values": [...]}
  {"op": "request" | "reply", "kind": k, "values": [...]}          -> {"payload": hex}   (wire.request, wire.reply)
  {"op": "read_request" | "read_reply", "kind": k, "payload": hex} -> {"values": [...]}
  {"op": "table"}                                                  -> {"layouts": {kind: [request, reply, changes]}}
where a hex step is fed to one Deframer, "drop" calls drop_partial() once if a frame is pending (as the token does
when the line went quiet), "drain" calls it until nothing is pending, and "drop-anyway" calls it unconditionally;
values of "y" and "r" fields are hex. A refused case gives
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


def _from_json(fmt, values):
    return [unhexlify(v) if code in "yr" else v for code, v in zip(fmt, values)]


def _to_json(fmt, values):
    return [_hex(v) if code in "yr" else v for code, v in zip(fmt, values)]


def run(case):
    op = case["op"]
    if op == "frame":
        return {"frame": _hex(frames.frame(case["kind"], case["rid"], unhexlify(case["payload"])))}
    if op == "stream":
        return _stream(case["steps"])
    if op == "table":
        return {"layouts": {str(kind): list(layout) for kind, layout in wire.LAYOUTS.items()}}
    if op in ("request", "reply"):
        fmt = wire.LAYOUTS[case["kind"]][op == "reply"]
        build = wire.request if op == "request" else wire.reply
        return {"payload": _hex(build(case["kind"], *_from_json(fmt, case["values"])))}
    if op in ("read_request", "read_reply"):
        fmt = wire.LAYOUTS[case["kind"]][op == "read_reply"]
        read = wire.read_request if op == "read_request" else wire.read_reply
        return {"values": _to_json(fmt, read(case["kind"], unhexlify(case["payload"])))}
    fmt = case["fmt"]
    if op == "pack":
        return {"payload": _hex(wire.pack(fmt, *_from_json(fmt, case["values"])))}
    return {"values": _to_json(fmt, wire.unpack(fmt, unhexlify(case["payload"])))}


def main():
    for case in cases():
        try:
            result = run(case)
        except ValueError:
            result = {"error": "ValueError"}
        print(json.dumps(result))


main()
