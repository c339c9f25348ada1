"""otpauth:// URIs and typed keys become the account the user meant, or one readable line saying why not."""

import base64
import hashlib
import hmac

import pyotp
import pytest
from totpfob.otpauth import Account, InputError, device_secret, from_secret, parse_uri

KEY = "OJ5ZQCQJLDDAS2ON"  # 80 bits, as Ügyfélkapu+ issues them
SECRET = base64.b32decode(KEY)
LONG_KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 160 bits: long enough for pyotp as an oracle
LONG_SECRET = base64.b32decode(LONG_KEY)
ODD_SECRET = bytes(range(1, 14))  # 13 bytes: its base32 form needs '=' padding
ODD_KEY = base64.b32encode(ODD_SECRET).decode()
UGY = "%C3%9Cgyf%C3%A9lkapu%2B"  # "Ügyfélkapu+" percent-encoded


def account(label, issuer="", secret=SECRET, algorithm="sha1", digits=6, period=30):
    return Account(label=label, issuer=issuer, secret=secret, algorithm=algorithm, digits=digits, period=period)


VALID = [
    pytest.param(f"otpauth://totp/{UGY}:demo.user@ugyfelkapu.gov.hu?secret={KEY}&issuer={UGY}",
                 account("demo.user@ugyfelkapu.gov.hu", "Ügyfélkapu+"), id="ugyfelkapu-encoded"),
    pytest.param(f"otpauth://totp/Ügyfélkapu+:user?secret={KEY}&issuer=Ügyfélkapu+",
                 account("user", "Ügyfélkapu+"), id="ugyfelkapu-raw-plus"),
    pytest.param(f"otpauth://totp/{UGY}:user?secret={KEY}",
                 account("user", "Ügyfélkapu+"), id="issuer-from-label-only"),
    pytest.param("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
                 account("alice@google.com", "Example", base64.b32decode("JBSWY3DPEHPK3PXP")), id="google"),
    pytest.param(f"otpauth://totp/Example%20Co:%20%20alice?secret={KEY}&issuer=Example+Co",
                 account("alice", "Example Co"), id="spaces-after-colon-form-encoded-issuer"),
    pytest.param(f"otpauth://totp/Example: alice?secret={KEY}&issuer=Example",
                 account("alice", "Example"), id="raw-space-after-colon"),
    pytest.param(f"otpauth://totp/Example%3Aalice?secret={KEY}",
                 account("alice", "Example"), id="encoded-colon"),
    pytest.param(f"otpauth://totp/alice?secret={KEY}", account("alice"), id="no-issuer"),
    pytest.param(f"otpauth://totp/example:alice?secret={KEY}&issuer=Example",
                 account("alice", "Example"), id="issuer-in-label-differs-only-in-case"),
    pytest.param(f"OTPAUTH://TOTP/alice?secret={KEY}", account("alice"), id="upper-case-scheme"),
    pytest.param(f"otpauth://totp/alice?secret={KEY.lower()}", account("alice"), id="lower-case-key"),
    pytest.param("otpauth://totp/alice?secret=OJ5Z%20QCQJ%20LDDA%20S2ON", account("alice"), id="spaced-key"),
    pytest.param("otpauth://totp/alice?secret=OJ5Z+QCQJ+LDDA+S2ON", account("alice"), id="plus-spaced-key"),
    pytest.param("otpauth://totp/alice?secret=oj5z-qcqj-ldda-s2on", account("alice"), id="dashed-key"),
    pytest.param(f"otpauth://totp/alice?secret={ODD_KEY}", account("alice", secret=ODD_SECRET), id="padded"),
    pytest.param("otpauth://totp/alice?secret=" + ODD_KEY.rstrip("="),
                 account("alice", secret=ODD_SECRET), id="padding-left-out"),
    pytest.param(f"otpauth://totp/alice?secret={KEY}&algorithm=SHA256&digits=8",
                 account("alice", algorithm="sha256", digits=8), id="sha256-8-digits"),
    pytest.param(f"otpauth://totp/alice?secret={KEY}&algorithm=sha512&digits=10&period=60",
                 account("alice", algorithm="sha512", digits=10, period=60), id="sha512-10-digits-60s"),
    pytest.param(f"otpauth://totp/alice?secret={KEY}&image=https%3A%2F%2Fx.test%2Fa.png&color=0000ff&counter=3",
                 account("alice"), id="unknown-parameters-ignored"),
    pytest.param(f"otpauth://totp/alice?SECRET={KEY}&Digits=7", account("alice", digits=7),
                 id="parameter-names-any-case"),
]


@pytest.mark.parametrize("uri, expected", VALID)
def test_valid_uri_gives_every_field(uri, expected):
    assert parse_uri(uri) == expected


@pytest.mark.parametrize("digest, algorithm", [(hashlib.sha1, "SHA1"), (hashlib.sha256, "SHA256"),
                                               (hashlib.sha512, "SHA512")])
def test_uri_reads_as_pyotp_reads_it(digest, algorithm):
    """For keys pyotp accepts, pyotp's own URI parser is an independent oracle."""
    uri = pyotp.TOTP(LONG_KEY, digits=8, digest=digest, interval=45, name="bob@example.com",
                     issuer="ACME Co").provisioning_uri()
    oracle = pyotp.parse_uri(uri)
    got = parse_uri(uri)
    assert (got.label, got.issuer, got.secret, got.digits, got.period) == (
        oracle.name, oracle.issuer, oracle.byte_secret(), oracle.digits, oracle.interval)
    assert got.algorithm == algorithm.lower()


def _assert_user_error(exc_info, secret_text=KEY):
    message = str(exc_info.value)
    assert message and "\n" not in message
    for start in range(len(secret_text) - 5):
        assert secret_text[start:start + 6].lower() not in message.lower()
    return message


BAD = [
    (f"https://example.com/?secret={KEY}", "not an otpauth"),
    (KEY, "not an otpauth"),
    ("otpauth://totp/alice?issuer=Example", "no secret"),
    ("otpauth://totp/alice?secret=", "no secret"),
    ("otpauth://totp/alice?secret=OJ5ZQCQJLDDAS20N", "not base32"),
    ("otpauth://totp/alice?secret=OJ5ZQCQJLDDAS18N", "not base32"),
    ("otpauth://totp/alice?secret=OJ5ZQCQJL%3DDDAS2ON", "not base32"),
    ("otpauth://totp/alice?secret=OJ5ZQCQJLDDAS2ONX", "missing or extra"),
    ("otpauth://totp/alice?secret=OJ5ZQCQJLDDAS2O", "at least 16"),
    (f"otpauth://totp/alice?secret={KEY}&algorithm=MD5", "MD5"),
    (f"otpauth://totp/alice?secret={KEY}&algorithm=", "algorithm"),
    (f"otpauth://totp/alice?secret={KEY}&digits=5", "6 to 10"),
    (f"otpauth://totp/alice?secret={KEY}&digits=12", "6 to 10"),
    (f"otpauth://totp/alice?secret={KEY}&digits=six", "6 to 10"),
    (f"otpauth://totp/alice?secret={KEY}&period=0", "period"),
    (f"otpauth://totp/alice?secret={KEY}&period=-30", "period"),
    (f"otpauth://totp/alice?secret={KEY}&period=abc", "period"),
    (f"otpauth://totp/alice?secret={KEY}&period=4294967296", "period"),
    (f"otpauth://hotp/alice?secret={KEY}&counter=0", "counter-based"),
    (f"otpauth://steam/alice?secret={KEY}", "time-based"),
    (f"otpauth://totp/?secret={KEY}&issuer=Example", "no account name"),
    (f"otpauth://totp/Example:?secret={KEY}", "no account name"),
    (f"otpauth://totp/alice?secret={KEY}&secret={KEY}", "more than once"),
    (f"otpauth://totp/alice?secret={KEY}&digits=6&digits=8", "more than once"),
    ("otpauth://totp/" + "a" * 65 + "?secret=" + KEY, "64"),
    ("otpauth://totp/" + "%C3%A9" * 33 + "?secret=" + KEY, "64"),  # 33 letters, 66 bytes
    (f"otpauth://totp/alice?secret={KEY}&issuer=" + "b" * 65, "issuer"),
    (f"otpauth://totp/ali%0Ace?secret={KEY}", "control characters"),
    (f"otpauth://totp/ali%E2%80%A8ce?secret={KEY}", "control characters"),  # U+2028 line separator
    (f"otpauth://totp/Bank:%E2%80%AEmoc.elgoog?secret={KEY}", "invisible formatting characters"),  # U+202E
    (f"otpauth://totp/alice?secret={KEY}&issuer=Go%E2%80%8Bogle", "invisible formatting characters"),  # ZWSP
    (f"otpauth://totp/alice%E2%81%A6x?secret={KEY}", "invisible formatting characters"),  # U+2066 isolate
    (f"otpauth://totp/%FFalice?secret={KEY}", "UTF-8"),
]


@pytest.mark.parametrize("uri, words", BAD)
def test_bad_uri_is_refused_in_one_line_without_the_key(uri, words):
    with pytest.raises(InputError) as exc_info:
        parse_uri(uri)
    assert words in _assert_user_error(exc_info)


def test_longest_names_the_token_can_store_are_accepted():
    got = parse_uri("otpauth://totp/" + "i" * 64 + ":" + "%C3%A9" * 32 + "?secret=" + KEY)
    assert (got.issuer, got.label) == ("i" * 64, "é" * 32)


def test_typed_key_matches_the_uri():
    typed = from_secret(" oj5z qcqj-ldda s2on ", "demo.user@ugyfelkapu.gov.hu", "Ügyfélkapu+")
    assert typed == parse_uri(f"otpauth://totp/{UGY}:demo.user@ugyfelkapu.gov.hu?secret={KEY}")


def test_typed_key_takes_settings_as_numbers_or_text():
    assert from_secret(KEY, "alice", algorithm="SHA-256", digits="8", period="60") == \
        account("alice", algorithm="sha256", digits=8, period=60)


@pytest.mark.parametrize("kwargs, words", [
    (dict(secret_text="", label="alice"), "empty"),
    (dict(secret_text=KEY, label="  "), "empty"),
    (dict(secret_text=KEY, label="x" * 65), "64"),
    (dict(secret_text=KEY, label="alice", algorithm="md5"), "MD5"),
    (dict(secret_text=KEY, label="alice", digits=11), "6 to 10"),
    (dict(secret_text=KEY, label="alice", period=0), "period"),
    (dict(secret_text=KEY.replace("O", "0"), label="alice"), "not base32"),
])
def test_bad_typed_key_is_refused_in_one_line(kwargs, words):
    with pytest.raises(InputError) as exc_info:
        from_secret(**kwargs)
    assert words in _assert_user_error(exc_info)


def test_account_repr_hides_the_secret():
    got = parse_uri("otpauth://totp/alice?secret=" + KEY)
    for shown in (repr(got), str(got)):
        assert "alice" in shown
        assert repr(SECRET) not in shown and KEY not in shown and "secret" not in shown


# device_secret: the token stores at most 64 bytes; a longer key must give the very same codes.

def _code(key, algorithm, unix_time, digits=8):
    """RFC 6238 by the hmac module, written out as pyotp does it (pyotp itself refuses short keys)."""
    mac = hmac.new(key, (unix_time // 30).to_bytes(8, "big"), algorithm).digest()
    offset = mac[-1] & 0x0F
    return "%0*d" % (digits, (int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF) % 10 ** digits)


def test_keys_that_fit_are_stored_as_they_are():
    for algorithm, size in (("sha1", 64), ("sha256", 64), ("sha512", 64), ("sha1", 10)):
        secret = bytes(range(size))
        assert device_secret(account("a", secret=secret, algorithm=algorithm)) == secret


@pytest.mark.parametrize("algorithm, size", [("sha1", 65), ("sha1", 100), ("sha256", 65), ("sha256", 300),
                                             ("sha512", 129), ("sha512", 200)])
def test_long_key_is_stored_shorter_with_the_same_codes(algorithm, size):
    secret = hashlib.sha256(b"long key").digest() * 10
    secret = secret[:size]
    stored = device_secret(from_secret(base64.b32encode(secret).decode(), "a", algorithm=algorithm))
    assert len(stored) <= 64
    for unix_time in (0, 59, 1111111109, 2000000000, 20000000000):
        assert _code(stored, algorithm, unix_time) == _code(secret, algorithm, unix_time)
        oracle = pyotp.TOTP(base64.b32encode(secret).decode(), digits=8, digest=getattr(hashlib, algorithm))
        assert _code(stored, algorithm, unix_time) == oracle.at(unix_time)


@pytest.mark.parametrize("size", [65, 100, 128])
def test_sha512_key_of_65_to_128_bytes_is_refused_when_read(size):
    key = base64.b32encode(bytes(range(size))).decode()
    with pytest.raises(InputError) as exc_info:
        from_secret(key, "a", algorithm="sha512")
    assert "64 bytes" in _assert_user_error(exc_info, key)
    with pytest.raises(InputError):
        device_secret(account("a", secret=bytes(range(size)), algorithm="sha512"))


# Settings given beside a URI (add --uri ... --algorithm ...) take the URI's place before the key is shortened.

def test_settings_beside_a_uri_replace_its_own():
    got = parse_uri(f"otpauth://totp/Shop:alice?secret={KEY}&digits=6", label=" bob ", digits="8", period=60)
    assert got == account("bob", "Shop", digits=8, period=60)


def test_a_long_key_is_shortened_for_the_algorithm_given_beside_the_uri():
    secret = bytes(range(100))  # a SHA-1 key in the URI, used with SHA-256: its hash must be SHA-256's
    got = parse_uri("otpauth://totp/a?secret=" + base64.b32encode(secret).decode(), algorithm="SHA256")
    assert got.algorithm == "sha256" and len(got.secret) == 32
    for unix_time in (59, 1111111109, 2000000000):
        assert _code(got.secret, "sha256", unix_time) == _code(secret, "sha256", unix_time)


def test_a_bad_setting_beside_a_uri_is_refused_in_one_line():
    with pytest.raises(InputError) as exc_info:
        parse_uri(f"otpauth://totp/alice?secret={KEY}", digits=12)
    assert "6 to 10" in _assert_user_error(exc_info)


def test_the_limits_are_the_tokens_own(monkeypatch):
    """otpauth has no copy of a limit: what firmware/account.py says, it checks."""
    from totpfob.account import fw_account

    monkeypatch.setattr(fw_account, "MAX_NAME", 10)
    with pytest.raises(InputError) as exc_info:
        from_secret(KEY, "a" * 11)
    assert "at most 10" in _assert_user_error(exc_info)
    monkeypatch.setattr(fw_account, "MAX_DIGITS", 8)
    with pytest.raises(InputError) as exc_info:
        from_secret(KEY, "alice", digits=9)
    assert "6 to 8" in _assert_user_error(exc_info)
    monkeypatch.setattr(fw_account, "MAX_SECRET", 20)
    assert len(from_secret(base64.b32encode(bytes(70)).decode(), "alice").secret) == 20  # stored as its hash
    with pytest.raises(InputError) as exc_info:
        from_secret(base64.b32encode(bytes(30)).decode(), "alice")  # over the limit, within SHA-1's block
    assert "up to 20 bytes" in str(exc_info.value)


def test_a_parsed_account_is_the_tokens_record():
    got = from_secret(KEY, "alice", "Shop", "sha256", 8, 60)
    from totpfob.account import fw_account

    assert fw_account.decode(got.record()) == ("sha256", 8, 60, "Shop", "alice", SECRET)


def test_an_issuer_in_the_label_and_another_in_issuer_is_refused_naming_both():
    """`otpauth://totp/Google:me?issuer=Evil` used to be stored as Evil without a word: the page said Google."""
    uri = f"otpauth://totp/Google:me?secret={KEY}&issuer=Evil"
    with pytest.raises(InputError) as exc_info:
        parse_uri(uri)
    said = _assert_user_error(exc_info)
    assert "'Google'" in said and "'Evil'" in said and "--issuer" in said
    # The user settles it by naming the issuer: then that one is stored.
    assert parse_uri(uri, issuer="Google") == account("me", "Google")


@pytest.mark.parametrize("name", ["\u202emoc.elgoog", "a\u200fb", "\ufeffalice", "x\u2069"])
def test_a_typed_name_with_bidi_or_invisible_characters_is_refused(name):
    for given in ({"label": name}, {"label": "alice", "issuer": name}):
        with pytest.raises(InputError) as exc_info:
            from_secret(KEY, **given)
        assert "invisible formatting characters" in _assert_user_error(exc_info)
