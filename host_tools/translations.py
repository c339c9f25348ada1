"""`make translations`: the Hungarian catalog brought up to date with the code, with Babel (a developer tool: an
installed totpfob reads only the compiled .mo, with the standard gettext module).

1. extract every message the code marks (`_()`, `N_()`, `ngettext()`) from host_tools/totpfob into totpfob.pot;
2. update hu/LC_MESSAGES/totpfob.po from it (a new message arrives untranslated, a changed one fuzzy: neither is
   used until a person translates it; tests/test_i18n.py fails meanwhile);
3. take in the Hungarian others left in hu/LC_MESSAGES/pending-*.po for their new messages, then delete those
   files (an entry whose message is not in the code yet stays in its pending file);
4. compile the .po into the .mo that is committed and installed.

`python host_tools/translations.py --check` does 1 and 2 in memory and lists what lacks Hungarian, writing nothing;
`--keep-pending` does everything but step 3.
"""

import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent / "totpfob"
LOCALE = PACKAGE / "locale"
DOMAIN = "totpfob"
LANGUAGE = "hu"
MESSAGES = LOCALE / LANGUAGE / "LC_MESSAGES"
POT = LOCALE / (DOMAIN + ".pot")
PO = MESSAGES / (DOMAIN + ".po")
MO = MESSAGES / (DOMAIN + ".mo")
KEYWORDS = dict(DEFAULT_KEYWORDS)  # _, gettext, ngettext, N_ ... : i18n's names are among them
_FIXED_DATE = datetime(2026, 12, 6, tzinfo=timezone.utc)  # no date churn in the files on every run
_HEADER = "# %s of totpfob, written in English in host_tools/totpfob (make translations).\n"


def template() -> Catalog:
    """The messages the code marks now, in the order they first appear (file by file)."""
    catalog = Catalog(project=DOMAIN, charset="utf-8", creation_date=_FIXED_DATE, fuzzy=False,
                      header_comment=_HEADER % "The messages")
    for filename, lineno, message, comments, context in extract_from_dir(
            PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("Translators:",),
            strip_comment_tags=True):
        catalog.add(message, None, [("totpfob/" + Path(filename).as_posix(), lineno)], auto_comments=comments,
                    context=context)
    return catalog


def read(path: Path, locale: str | None = LANGUAGE) -> Catalog:
    with open(path, "rb") as file:
        return read_po(file, locale=locale)


def updated(current: Catalog, pot: Catalog) -> Catalog:
    """current brought up to pot's messages (obsolete ones dropped, changed ones fuzzy)."""
    current.update(pot, update_header_comment=False)
    current.obsolete.clear()
    return current


def missing(po: Catalog) -> list[str]:
    """The msgids without a usable Hungarian form (empty or fuzzy)."""
    lacking = []
    for message in po:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not all(forms):
            lacking.append(message.id if isinstance(message.id, str) else message.id[0])
    return lacking


def take_pending(po: Catalog) -> list[str]:
    """Merge pending-*.po into po; what was done, one line per file."""
    said = []
    for path in sorted(MESSAGES.glob("pending-*.po")):
        pending = read(path)
        kept = Catalog(locale=LANGUAGE, charset="utf-8", fuzzy=False)
        taken = 0
        for message in pending:
            if not message.id or not message.string:
                continue
            if message.id in po:
                po[message.id].string = message.string
                po[message.id].flags.discard("fuzzy")
                taken += 1
            else:
                kept[message.id] = message
        if len(kept):
            with open(path, "wb") as file:
                write_po(file, kept, width=110)
            said.append("%s: %d taken, %d kept (not in the code yet)" % (path.name, taken, len(kept)))
        else:
            path.unlink()
            said.append("%s: %d taken, file removed" % (path.name, taken))
    return said


def compiled(po: Catalog) -> bytes:
    """The .mo for po (fuzzy entries left out: English until someone translates them)."""
    import io

    out = io.BytesIO()
    write_mo(out, po, use_fuzzy=False)
    return out.getvalue()


def main(argv: list[str]) -> int:
    pot = template()
    po = updated(read(PO) if PO.exists() else Catalog(
        locale=LANGUAGE, project=DOMAIN, creation_date=_FIXED_DATE, fuzzy=False, language_team="magyar",
        last_translator="totpfob", header_comment=_HEADER % "The Hungarian messages"), pot)
    if "--check" in argv:
        lacking = missing(po)
        for msgid in lacking:
            print("no Hungarian: %r" % msgid)
        return 1 if lacking else 0
    MESSAGES.mkdir(parents=True, exist_ok=True)
    with open(POT, "wb") as file:
        write_po(file, pot, width=110, include_lineno=False)
    for line in ([] if "--keep-pending" in argv else take_pending(po)):
        print(line)
    po.revision_date = _FIXED_DATE
    MESSAGES.mkdir(parents=True, exist_ok=True)
    with open(PO, "wb") as file:
        write_po(file, po, width=110, include_lineno=False)
    MO.write_bytes(compiled(read(PO)))
    lacking = missing(po)
    print("%s: %d messages, %d without Hungarian%s" % (PO.name, len(po), len(lacking),
                                                       " (python host_tools/translations.py --check lists them)"
                                                       if lacking else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
