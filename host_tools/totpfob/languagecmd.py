"""`totpfob language [hu|en]`: which language the token's own screens speak, or set it. (The language of
totpfob's messages is `--lang`; a new token takes that one at its first add.)"""

from . import ops
from .i18n import _
from .ops import settings


def cmd_language(args) -> int:
    port = ops.pick_port(args.port)
    if args.language is None:
        print(_("the token's screens are in %s") % settings.said(ops.info(port)["language"]))
        return 0
    settings.set_language(port, args.language)
    print(_(settings.NOW[args.language]))
    return 0


def add_parser(commands, shared: dict) -> None:
    p = commands.add_parser("language", parents=[shared["port"]],
                            help=_("the language of the token's screens: show it, or set it to hu or en"))
    p.add_argument("language", nargs="?", choices=settings.LANGUAGES, metavar="hu|en",
                   help=_("hu: Hungarian, en: English"))
    p.set_defaults(run=cmd_language)
