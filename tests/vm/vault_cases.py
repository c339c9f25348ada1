"""Open the vault at argv[1] (as the token does at power-on), apply operations read as JSON lines on stdin, and
print one JSON line per operation (runs on CPython and MicroPython). Each run of this script is one power cycle.

Optional argv[2] = "version=N[,skip=V]" plays firmware that knows vault version N: every version v < N gets an
upgrade to v + 1 that appends "-v<v+1>" to each label (so the order upgrades ran in shows), except v = skip.

The first line printed describes the vault as opened: {"error": None | "...", "accounts": [...]}.
Operations:
  {"op": "add", "account": [algorithm, digits, period, issuer, label, secret hex], "replace": bool}
  {"op": "fill", "count": n, "prefix": p}   adds n SHA-1 accounts labelled p0, p1, ... (stops at the first refusal)
  {"op": "rename", "issuer": i, "label": l, "new": n}   {"op": "delete", "issuer": i, "label": l}   {"op": "wipe"}
  {"op": "list"}   {"op": "encode", "account": [...]}
"encode" answers {"record": hex} (account.encode). A change answers {"ok": true, "count": n}; a refusal
{"raised": "Exists" | "NotFound" | "Full" | "VaultError" | "Invalid", "count": n}, with "why": the message of an
Invalid; "list" answers {"error": ..., "accounts": [[algorithm, digits, period, issuer, label, secret hex],
...]}, the secrets in hex only because these are test keys.
"""

import json
import sys
from binascii import hexlify, unhexlify

import account
import vault
from vmcase import cases


def _record(fields):
    algorithm, digits, period, issuer, label, secret = fields
    return account.encode(algorithm, digits, period, issuer, label, unhexlify(secret))


def _print_accounts(store):
    """One JSON line, written piece by piece: with a hundred accounts one big string would not fit the heap."""
    write = sys.stdout.write
    write('{"error": %s, "accounts": [' % json.dumps(store.error))
    for i, record in enumerate(store.records):
        fields = list(account.decode(record))
        fields[5] = hexlify(fields[5]).decode()
        write((", " if i else "") + json.dumps(fields))
    write("]}\n")


def _fill(store, count, prefix):
    for i in range(count):
        store.add(_record(["sha1", 6, 30, "Fill", prefix + str(i), "3132333435363738393031323334353637383930"]))


def _suffix_labels(suffix):
    def step(records):
        out = []
        for record in records:
            algorithm, digits, period, issuer, label, secret = account.decode(record)
            out.append(account.encode(algorithm, digits, period, issuer, label + suffix, secret))
        return out
    return step


def _play_firmware(spec):
    """Raise the module's vault version and register upgrades, as a later firmware would ship them."""
    options = dict(item.split("=") for item in spec.split(","))
    version = int(options["version"])
    vault._UPGRADES.clear()  # that firmware's own chain of upgrades, and only it
    for old in range(1, version):
        if str(old) != options.get("skip"):
            vault._UPGRADES[old] = _suffix_labels("-v%d" % (old + 1))
    vault.VERSION = version


def run(store, case):
    op = case["op"]
    if op == "list":
        _print_accounts(store)
        return None
    if op == "encode":
        return {"record": hexlify(_record(case["account"])).decode()}
    if op == "add":
        store.add(_record(case["account"]), replace=case.get("replace", False))
    elif op == "fill":
        _fill(store, case["count"], case["prefix"])
    elif op == "rename":
        store.rename(case["issuer"], case["label"], case["new"])
    elif op == "delete":
        store.delete(case["issuer"], case["label"])
    elif op == "wipe":
        store.wipe()
    return {"ok": True, "count": len(store)}


def main():
    if len(sys.argv) > 2:
        _play_firmware(sys.argv[2])
    store = vault.Vault(sys.argv[1])
    _print_accounts(store)
    for case in cases():
        try:
            result = run(store, case)
        except account.Invalid as exc:
            result = {"raised": "Invalid", "why": str(exc), "count": len(store)}
        except (vault.Exists, vault.NotFound, vault.Full, vault.VaultError) as exc:
            result = {"raised": type(exc).__name__, "count": len(store)}
        if result is not None:
            print(json.dumps(result))


main()
