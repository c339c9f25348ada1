"""A screenshot or photo of an authenticator QR code gives the account it shows, or one line saying why not."""

import time

import pytest
import qrgen
from PIL import Image
from totpfob.otpauth import InputError, parse_uri
from totpfob.qr import decode_image
from totpfob.samples import DEMO_ISSUER, DEMO_KEY, DEMO_LABEL, DEMO_QR, DEMO_URI

KEY = "OJ5ZQCQJLDDAS2ON"
UGY = "%C3%9Cgyf%C3%A9lkapu%2B"
URI = f"otpauth://totp/{UGY}:demo.user@ugyfelkapu.gov.hu?secret={KEY}&issuer={UGY}"
SHA256_URI = f"otpauth://totp/Example:alice@example.com?secret={KEY}&issuer=Example&algorithm=SHA256&digits=8"
RAW_UTF8_URI = f"otpauth://totp/Ügyfélkapu+:user?secret={KEY}&issuer=Ügyfélkapu+"
WEB = "https://apps.example.com/authenticator"


def _refused(path, *words):
    with pytest.raises(InputError) as exc_info:
        decode_image(path)
    message = str(exc_info.value)
    assert "\n" not in message and KEY[:6] not in message.upper()
    for word in words:
        assert word in message
    return message


@pytest.mark.parametrize("make, uri", [
    (lambda d, uri: qrgen.screenshot(d, uri), URI),
    (lambda d, uri: qrgen.screenshot(d, uri, (1366, 768)), SHA256_URI),
    (lambda d, uri: qrgen.small(d, uri), URI),
    (lambda d, uri: qrgen.photo(d, uri), SHA256_URI),
    (lambda d, uri: qrgen.two_codes(d, WEB, uri), URI),
], ids=["screenshot-1920", "screenshot-1366", "small", "photo-jpeg", "next-to-a-web-link"])
def test_image_gives_the_account_of_its_uri(tmp_path, make, uri):
    assert decode_image(make(tmp_path, uri)) == parse_uri(uri)


@pytest.mark.parametrize("content", [RAW_UTF8_URI.encode("utf-8"), RAW_UTF8_URI],
                         ids=["utf8-without-eci", "as-zxing-writes-it"])
def test_unencoded_hungarian_issuer_survives(tmp_path, content):
    got = decode_image(qrgen.small(tmp_path, content))
    assert (got.issuer, got.label) == ("Ügyfélkapu+", "user")


def test_code_drawn_on_a_transparent_background_is_found(tmp_path):
    code = qrgen.qr(URI, scale=4)
    # Black modules, everything else fully transparent: flattened naively, it would be black on black.
    clear = Image.new("RGBA", code.size, (0, 0, 0, 0))
    clear.putalpha(code.point(lambda level: 255 - level))
    path = tmp_path / "clear.png"
    clear.save(path)
    assert decode_image(path) == parse_uri(URI)


def test_two_authenticator_codes_ask_for_a_crop(tmp_path):
    _refused(qrgen.two_codes(tmp_path, URI, SHA256_URI), "crop")


def test_image_without_a_code(tmp_path):
    path = qrgen.no_code(tmp_path)
    assert _refused(path) == "no QR code found in %s" % path


def test_web_address_code_is_not_a_key(tmp_path):
    _refused(qrgen.screenshot(tmp_path, WEB), "not an authenticator key", "web address")


def test_google_authenticator_export_is_explained(tmp_path):
    _refused(qrgen.small(tmp_path, "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8"), "export")


def test_bad_key_in_a_code_names_the_file_and_the_problem(tmp_path):
    path = qrgen.small(tmp_path, f"otpauth://hotp/alice?secret={KEY}&counter=1")
    _refused(path, str(path), "counter-based")


def test_missing_file(tmp_path):
    path = tmp_path / "shot.png"
    assert _refused(path) == "%s: no such file" % path


@pytest.mark.parametrize("content", [b"just some text\n", b"\x89PNG\r\n\x1a\n" + b"\0" * 40],
                         ids=["text-file", "broken-png"])
def test_file_that_is_not_an_image(tmp_path, content):
    path = tmp_path / "shot.png"
    path.write_bytes(content)
    _refused(path, "is not an image Pillow can read")


def test_truncated_png(tmp_path):
    path = qrgen.screenshot(tmp_path, URI)
    path.write_bytes(path.read_bytes()[:5000])
    _refused(path, "is not an image Pillow can read")


def test_bundled_sample_is_the_demo_account():
    got = decode_image(DEMO_QR)
    assert got == parse_uri(DEMO_URI)
    assert (got.label, got.issuer, got.algorithm, got.digits, got.period) == (
        DEMO_LABEL, DEMO_ISSUER, "sha1", 6, 30)
    assert got.secret == parse_uri("otpauth://totp/x?secret=" + DEMO_KEY).secret
    assert DEMO_QR.stat().st_size < 60_000


def test_decode_time_is_reported(tmp_path, capsys):
    """Not a pass/fail check (machines differ): prints how long a screenshot takes, load included."""
    lines = []
    for size in ((1366, 768), (1920, 1080)):
        path = qrgen.screenshot(tmp_path, URI, size, "shot-%dx%d.png" % size)
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            assert decode_image(path) == parse_uri(URI)
            timings.append(time.perf_counter() - start)
        lines.append("decode %dx%d: best %.1f ms, worst %.1f ms" % (*size, min(timings) * 1e3, max(timings) * 1e3))
    with capsys.disabled():
        print("\n" + "\n".join(lines))


def test_a_setting_given_beside_the_image_replaces_the_codes_own(tmp_path):
    shot = qrgen.small(tmp_path, URI)
    assert decode_image(shot, digits=8, label="me") == parse_uri(URI, digits=8, label="me")


def test_a_bad_setting_beside_the_image_is_the_users_not_the_codes(tmp_path):
    """A wrong --digits is the user's: the message does not blame the QR code, while a code's own does."""
    with pytest.raises(InputError) as exc_info:
        decode_image(qrgen.small(tmp_path, URI), digits=12)
    assert "6 to 10" in str(exc_info.value) and "QR code" not in str(exc_info.value)
    with pytest.raises(InputError) as exc_info:
        decode_image(qrgen.small(tmp_path, URI + "&digits=12", name="twelve.png"))
    assert "6 to 10" in str(exc_info.value) and "QR code" in str(exc_info.value)
