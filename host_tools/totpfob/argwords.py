"""argparse's own words ("usage:", "options", "the following arguments are required: %s"...) in our language.

argparse translates through the module globals `_` and `ngettext` it looks up at call time; pointing them at
i18n's makes its help and errors speak the language totpfob chose. The messages it may show a user are listed
below with N_() so the extractor puts them in our catalog (argparse's own domain has no Hungarian). The msgids
are argparse's, from Python 3.10 to 3.13; a message only some versions have is listed all the same (one unused
entry costs nothing). Errors that only a programmer can cause (conflicting options...) stay English.
"""

import argparse

from . import i18n
from .i18n import N_

WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("subcommands"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(heading)s:"),  # 3.13: group titles
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
)


def _plural_words(count: int) -> str:
    """Never called: marks argparse's one plural message for the catalog (N_ takes no plural)."""
    return i18n.ngettext("expected %s argument", "expected %s arguments", count)


def install() -> None:
    """Make argparse speak through i18n (once is enough: i18n's functions read the language in use on each call)."""
    argparse._ = i18n._  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]
