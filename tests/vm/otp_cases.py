"""Read OTP cases as JSON lines on stdin, print one JSON line of result per case (runs on CPython and MicroPython).

A case: {"fn": "hotp"|"totp"|"generator"|"repr", "key": hex, "counter": n | "time": t, "digits": d,
"period": p, "algorithm": a}; a missing field takes the function's default. "generator" makes one
CodeGenerator and asks it for the code and the seconds remaining at each time in "times", as the token
does on each wake. A result: {"code": "..."}, {"codes": [...], "remaining": [...]} or {"repr": "..."},
or {"error": "ValueError", "message": "..."} when the firmware refused the case.
"""

import binascii
import json

import otp
from vmcase import cases


def _options(case, names):
    options = {}
    for name in names:
        if name in case:
            options[name] = case[name]
    return options


def run(case):
    key = binascii.unhexlify(case["key"])
    fn = case["fn"]
    if fn == "hotp":
        return {"code": otp.hotp(key, case["counter"], **_options(case, ("digits", "algorithm")))}
    if fn == "totp":
        return {"code": otp.totp(key, case["time"], **_options(case, ("period", "digits", "algorithm")))}
    generator = otp.CodeGenerator(key, **_options(case, ("algorithm", "digits", "period")))
    if fn == "repr":
        return {"repr": repr(generator)}
    times = case["times"]
    return {"codes": [generator.code(t) for t in times], "remaining": [generator.remaining(t) for t in times]}


def main():
    for case in cases():
        try:
            result = run(case)
        except ValueError as error:
            result = {"error": "ValueError", "message": str(error)}
        except TypeError as error:
            result = {"error": "TypeError", "message": str(error)}
        print(json.dumps(result))


main()
