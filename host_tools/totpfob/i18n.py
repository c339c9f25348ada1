"""The language totpfob speaks: Hungarian or English, chosen once per run.

The standard gettext machinery: messages are written in English in the code, wrapped in `_()`; the Hungarian
forms live in locale/hu/LC_MESSAGES/totpfob.po (compiled to the .mo beside it, which is what runs). Babel
extracts and compiles the catalog (`make translations`); nothing here needs Babel at run time.

Where a message is written before the language is known (a table at module level), it is marked with `N_()`
and translated where it is shown: `_(TABLE[key])`.

The choice, first that applies: `--lang` on the command line, TOTPFOB_LANG, the locale (LC_ALL, LC_MESSAGES,
LANG, LANGUAGE; on Windows the user's display language), else English. A locale we have no catalog for is
English, silently; only an explicit `--lang xx` is refused (the command line says so in one line).
"""

import gettext as _gettext
import os
import sys
from pathlib import Path

LANGUAGES = ("hu", "en")  # what `--lang` accepts, in the order the help lists them
NAMES = {"hu": "magyar", "en": "English"}
DOMAIN = "totpfob"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def _from_locale_name(name: str) -> str | None:
    """"hu_HU.UTF-8" -> "hu"; "C", "POSIX", "" -> None; "de_DE" -> "en" (no catalog: English)."""
    name = name.split(":")[0].split(".")[0].split("@")[0].strip()
    if not name or name in ("C", "POSIX"):
        return None
    code = name.replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else "en"


def _windows_language() -> str | None:
    """The Windows display language (Hungarian is primary language 0x0e), when on Windows."""
    if sys.platform != "win32":
        return None
    try:
        import ctypes

        lang_id = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
    except (ImportError, AttributeError, OSError):
        return None
    return "hu" if lang_id & 0x3FF == 0x0E else "en"


def system_language() -> str:
    """The language the environment asks for (TOTPFOB_LANG, then the locale), "en" when it asks for none we have."""
    wanted = os.environ.get("TOTPFOB_LANG", "").strip().lower()
    if wanted in LANGUAGES:
        return wanted
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        found = _from_locale_name(os.environ.get(variable, ""))
        if found:
            return found
    return _windows_language() or "en"


def use(language: str | None = None) -> str:
    """Speak `language` (one of LANGUAGES) from now on, or the environment's when None; returns the one chosen."""
    global _translations, _language
    chosen = language if language in LANGUAGES else system_language()
    if chosen == "en":
        _translations = _gettext.NullTranslations()
    else:
        _translations = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[chosen], fallback=True)
    _language = chosen
    return chosen


def language() -> str:
    """The language in use: "hu" or "en"."""
    return _language


def _(message: str) -> str:
    """`message` (English, as written in the code) in the language in use."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` (Hungarian has one form after a number; English two)."""
    return _translations.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a message for the catalog where it cannot be translated yet; `_()` translates it where shown."""
    return message
