"""The `totpfob` command line: parse arguments, run one command, turn every failure into one line."""

import argparse
import sys

from . import __version__, boards, commands, deploy, flash, sim
from .errors import UserError


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        """A mistyped command line is one line too, pointing at --help."""
        self.exit(2, "totpfob: %s (see %s --help)\n" % (message, self.prog))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="totpfob",
        description="Provision and talk to the offline hardware TOTP token.",
    )
    parser.add_argument("--version", action="version", version="totpfob " + __version__)
    parser.add_argument("--port", action="append", metavar="PORT",
                        help="serial port of the token (repeat to write to several tokens)")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parsers(subcommands)
    boards.add_parser(subcommands)
    flash.add_parser(subcommands)
    deploy.add_parser(subcommands)
    sim.add_parser(subcommands)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except UserError as exc:
        print("totpfob: %s" % exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("totpfob: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
