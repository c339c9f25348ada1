"""Sample input shipped with totpfob: a made-up Ügyfélkapu+ pairing page that `make demo` provisions.

The key is invented for the demo and belongs to no account. ``make_sample.py`` redraws the picture.
"""

from pathlib import Path

DEMO_QR = Path(__file__).with_name("ugyfelkapu-demo.png")
DEMO_KEY = "OJ5ZQCQJLDDAS2ON"  # 16 characters = 80 bits, the length Ügyfélkapu+ keys have
DEMO_LABEL = "demo.user@ugyfelkapu.gov.hu"
DEMO_ISSUER = "Ügyfélkapu+"
# Every non-ASCII byte and the '+' percent-encoded: a bare '+' in the parameters would read as a space.
DEMO_URI = ("otpauth://totp/%C3%9Cgyf%C3%A9lkapu%2B:demo.user@ugyfelkapu.gov.hu?secret=" + DEMO_KEY
            + "&issuer=%C3%9Cgyf%C3%A9lkapu%2B&algorithm=SHA1&digits=6&period=30")
