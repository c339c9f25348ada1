"""The token's own settings: the language of its screens (`totpfob language`, the GUI's choice, and the first
add to a new token). What the token's language is now is in info(port)["language"]: "hu", "en", or None when
it was never set (its screens then speak English) or its firmware predates the setting."""

from ..errors import UserError
from ..i18n import N_, _
from ..i18n import language as host_language
from ..link import DeviceError, LinkError, wire
from ..token import Token
from .session import Note, connect, quiet

LANGUAGES = ("hu", "en")  # what the firmware's screens speak (firmware/text_*.py)
NAMES = {"hu": N_("Hungarian"), "en": N_("English")}
NOW = {"hu": N_("the token's screens are in Hungarian now"), "en": N_("the token's screens are in English now")}


def _too_old() -> UserError:
    return UserError(_("the token's firmware is too old to choose its language: update it with `totpfob deploy`"
                       " (everything else works as before)"))


def set_language(port: str, language: str) -> None:
    """Make the token's screens speak `language` ("hu" or "en"); UserError, changing nothing, for another
    language or a firmware too old for the setting."""
    if language not in LANGUAGES:
        raise UserError(_("the token's screens speak hu (Hungarian) or en (English)"))
    with connect(port) as token:
        if "language" not in token.info():
            raise _too_old()
        try:
            token.set_language(language)
        except DeviceError as exc:
            if exc.code == wire.E_UNKNOWN:
                raise _too_old() from None
            raise


def said(language: object) -> str:
    """The token's language as a person reads it: "Hungarian", or that it was never set."""
    name = NAMES.get(language) if isinstance(language, str) else None
    return _(name) if name else _("English (never set)")


def adopt_host_language(token: Token, port: str, note: Note = quiet) -> None:
    """After an add or an import: a token whose language was never set takes this computer's (the language
    totpfob speaks now), so a Hungarian user's new token speaks Hungarian without a further step. A token set
    before, or whose firmware predates the setting, is left alone; a failure here never fails the add."""
    try:
        if token.info().get("language", "") is not None:
            return  # set before (kept as the person chose it), or a firmware without the setting
        language = host_language()
        token.set_language(language)
    except (DeviceError, LinkError):
        return  # the accounts are written; the screens keep English, `totpfob language` can set it later
    note(_("%(said)s, as this computer's (change it with `totpfob language %(other)s`)")
         % {"said": _(NOW[language]), "other": "en" if language == "hu" else "hu"})
