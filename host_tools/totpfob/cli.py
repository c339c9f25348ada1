"""The `totpfob` command line: parse arguments, run one command, turn every failure into one line.

The options many commands share (--port, --json) are declared once, here, and handed to each command's parser.
The language (--lang, i18n) is chosen before the parser is built, so its help texts are in that language too.
"""

import argparse
import os
import re
import signal
import sys

from . import __version__, argwords, boards, commands, console, deploy, flash, gui, i18n, importcmd, sim
from .errors import Interrupted, UserError
from .i18n import _, ngettext
from .progress import end as end_progress


class _Commands(argparse._SubParsersAction):
    """A command's options land in the same namespace as the main parser's, so `totpfob --port A add --port B`
    means both ports (argparse's own subcommands parse into a fresh namespace and would keep only B)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values[0])
        _parsed, rest = self._name_parser_map[values[0]].parse_known_args(values[1:], namespace)
        if rest:
            parser.error(_unexpected(rest))


def _unexpected(words: list[str]) -> str:
    """The complaint about words no option takes, without repeating them: they may be the rest of a key typed
    with spaces (`--secret JBSW Y3DP ...`), which must not end up on the screen or in a log."""
    return ngettext("%d unexpected word on the command line; put a key written with spaces in quotes",
                    "%d unexpected words on the command line; put a key written with spaces in quotes",
                    len(words)) % len(words)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _Commands)

    def parse_args(self, args=None, namespace=None):
        """argparse's, but naming how many words were not understood, never the words (_unexpected)."""
        parsed, rest = self.parse_known_args(args, namespace)
        if rest:
            self.error(_unexpected(rest))
        return parsed

    def error(self, message):
        """A mistyped command line is one line too, pointing at --help; a word given where a choice was expected
        is not repeated (a key pasted in the wrong place must not reach the screen or a log)."""
        invalid = _("invalid choice: %(value)r (choose from %(choices)s)")  # argparse's, in our language
        before, _value, after = invalid.partition("%(value)r")
        after = after.partition("%(choices)s")[0]
        message = re.sub(re.escape(before) + ".*" + re.escape(after),
                         lambda found: before.rstrip().rstrip(":") + after, message, flags=re.S)
        named = re.match(r"argument (\S+): (.*)", message, flags=re.S)
        if named and sys.version_info < (3, 11):  # Python 3.10's argparse leaves this one untranslated
            message = _("argument %(argument_name)s: %(message)s") % {"argument_name": named.group(1),
                                                                     "message": named.group(2)}
        self.exit(2, _("totpfob: %s (see %s --help)\n") % (message, self.prog))


def _shared() -> dict:
    """The options several commands take, each declared once: {"port": parser, "json": parser}."""
    port = argparse.ArgumentParser(add_help=False)
    port.add_argument("--port", action="append", metavar="PORT",
                      help=_("serial port of the token (repeat to write to several tokens)"))
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help=_("print JSON instead of text"))
    return {"port": port, "json": as_json}


def build_parser() -> argparse.ArgumentParser:
    shared = _shared()
    parser = _Parser(
        prog="totpfob",
        description=_("Provision and talk to the offline hardware TOTP token."),
        parents=[shared["port"]],
    )
    parser.add_argument("--version", action="version", version="totpfob " + __version__,
                        help=_("show program's version number and exit"))
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parsers(subcommands, shared)
    importcmd.add_parser(subcommands, shared)
    gui.add_parser(subcommands, shared)
    boards.add_parser(subcommands, shared)
    flash.add_parser(subcommands, shared)
    deploy.add_parser(subcommands, shared)
    sim.add_parser(subcommands)
    _add_demo(subcommands)
    _everywhere(parser, "--lang", metavar="|".join(i18n.LANGUAGES),
                help=_("language of the messages: %s; default: TOTPFOB_LANG, else the system's")
                % ", ".join("%s (%s)" % (code, i18n.NAMES[code]) for code in i18n.LANGUAGES))
    return parser


def _everywhere(parser: argparse.ArgumentParser, *names: str, **kwargs) -> None:
    """Declare an option on the main parser and on every command's, so each --help lists it. (--lang is taken out
    of the command line before parsing, _take_language: these declarations are for the help texts.)"""
    parser.add_argument(*names, **kwargs)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in {id(p): p for p in action.choices.values()}.values():
                _everywhere(sub, *names, **kwargs)


def _take_language(argv: list[str]) -> tuple[str | None, list[str]]:
    """(the language --lang names, argv without it): `--lang X` and `--lang=X` are taken wherever they stand,
    before or after the command (up to a `--`). UserError, in one line, for a language totpfob does not speak."""
    chosen, rest, words = None, [], iter(argv)
    for word in words:
        if word == "--":
            rest.append(word)
            rest.extend(words)
            break
        if word == "--lang" or word.startswith("--lang="):
            value = word.partition("=")[2] if "=" in word else next(words, "")
            chosen = value.strip().lower()
            if chosen not in i18n.LANGUAGES:
                known = ", ".join(i18n.LANGUAGES)
                if re.fullmatch(r"[A-Za-z]{1,3}([_-][A-Za-z]{2})?", value):  # what a language code looks like
                    raise UserError(_("unknown language '%s' (choose from: %s)") % (value, known))
                # anything else may be a key pasted in the wrong place: not repeated (see _unexpected)
                raise UserError(_("--lang takes a language: %s") % known)
            continue
        rest.append(word)
    return chosen, rest


def _add_demo(subcommands) -> None:
    """`totpfob demo`: what `make demo` runs, for an installed totpfob (the options are the demo's own)."""
    p = subcommands.add_parser("demo", help=_("provision a virtual token from a sample QR code and show its code"))
    p.add_argument("--state", metavar="DIR", help=_("keep the virtual token's flash and clock here"))
    p.add_argument("--seconds", type=float, metavar="N", help=_("print plain lines for N seconds, then exit"))
    p.set_defaults(run=_run_demo)


def _run_demo(args) -> int:
    try:
        from . import demo  # the simulator's code: loaded only when asked for
    except ImportError as exc:  # Windows: no select, pty, termios
        raise UserError(_("the virtual token needs Linux or macOS (this system has no %s module)") % exc.name) from None

    argv = (["--state", args.state] if args.state else []) + (
        ["--seconds", str(args.seconds)] if args.seconds is not None else [])
    os.environ["TOTPFOB_LANG"] = i18n.language()  # the `totpfob add` the demo runs speaks as this one does
    return demo.main(argv)


# Commands that only read: a Ctrl-C during them changed nothing.
_READING = {"list", "info", "boards", "status", None}


def _only_reads(args) -> bool:
    """True when the command line only read from the token (`language` without a language only shows it)."""
    command = getattr(args, "time_command", None) or getattr(args, "command", None)
    return command in _READING or (command == "language" and not getattr(args, "language", None))


def main(argv=None) -> int:
    """Run one command line; every failure, a Ctrl-C and a closed pipe end as one line (or none) and an exit
    status, never a traceback."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    args = None
    try:
        console.setup()
        i18n.use()  # the environment's language, for anything said before --lang is read
        argwords.install()
        chosen, argv = _take_language(sys.argv[1:] if argv is None else list(argv))
        i18n.use(chosen)
        parser = build_parser()  # after the language is chosen: the help texts are translated as they are built
        args = parser.parse_args(argv)
        if getattr(args, "lang", None) in i18n.LANGUAGES:  # abbreviated (`--la hu`): argparse found it
            i18n.use(args.lang)
        if args.command is None:
            parser.print_help()
            return 0
        status = args.run(args)
        sys.stdout.flush()  # a reader gone (`| head -1`) shows here, not as Python's complaint at exit
        return status
    except Interrupted as exc:
        end_progress()  # a line saying how far it was, left open on the terminal
        print(_("totpfob: %s") % exc, file=sys.stderr)
        return 130
    except UserError as exc:
        end_progress()
        print(_("totpfob: %s") % exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        end_progress()
        command = getattr(args, "time_command", None) or getattr(args, "command", None)
        if _only_reads(args):
            print(_("totpfob: interrupted; nothing was changed"), file=sys.stderr)
        elif command == "sync":
            print(_("totpfob: interrupted; the token's clock may have been set: see `totpfob time status`"),
                  file=sys.stderr)
        else:
            print(_("totpfob: interrupted; whether the token did it is unknown: see `totpfob list`"),
                  file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Whoever read the output stopped reading (`totpfob list | head -1`): nothing more to say to them. For a
        # command that writes to the token, what it said (the code to type in, what was stored) was lost.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        if _only_reads(args):
            return 0
        try:
            print(_("totpfob: the output was cut off (the reader closed the pipe); see `totpfob list` for what the"
                    " token holds"), file=sys.stderr)
        except OSError:
            pass  # stderr is gone too
        return 2
    finally:
        # Past main the work is done: a late Ctrl-C must not print the loader's "nothing was changed".
        loading = getattr(previous, "__name__", "") == "_interrupted_while_loading"  # totpfob/__init__.py
        signal.signal(signal.SIGINT, signal.SIG_IGN if loading else previous)


if __name__ == "__main__":
    sys.exit(main())
