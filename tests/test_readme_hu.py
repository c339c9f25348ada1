"""README.hu.md, the Hungarian guide a newcomer follows alone: a command in it that totpfob refuses, a picture or a
section it points to that is not there, or a message it quotes that totpfob or the token no longer says would
leave that reader stuck. These checks read the guide as it is and hold it against the real command line, the
Hungarian catalog and the token's own words (nothing is run on a token)."""

import re
import runpy
import shlex
from pathlib import Path

import pytest
from totpfob import boards, cli, i18n

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "README.hu.md"
CATALOG = ROOT / "host_tools" / "totpfob" / "locale" / "hu" / "LC_MESSAGES" / "totpfob.po"
TOKEN_WORDS = ROOT / "firmware" / "text_hu.py"  # the token's Hungarian screens: one plain dict, TEXTS


def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def commands() -> list:
    """Every `totpfob …` line of the guide's code blocks, and every inline `totpfob …` span in its text."""
    found, fenced = [], False
    for line in guide().splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
            continue
        if fenced and line.strip().startswith("totpfob "):
            found.append(line.strip())
        elif not fenced:
            found.extend(span for span in re.findall(r"`(totpfob [^`]*)`", line) if "…" not in span)
    return found


def test_the_guide_shows_commands():
    assert len(commands()) > 40  # the extraction itself works: the guide is mostly commands


@pytest.mark.parametrize("line", sorted(set(commands())))
def test_every_command_in_the_guide_is_one_totpfob_accepts(line):
    words = shlex.split(line, comments=True)[1:]
    i18n.use("en")
    try:
        _, argv = cli._take_language(words)
        parsed = cli.build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse refused it (exit 2), or --version/--help answered (exit 0)
        if len(words) == 1 and exc.code == 2:  # the text names a command (`totpfob deploy`): it must exist
            assert words[0] in _command_names(), "the guide names a command totpfob does not have: %s" % line
            return
        assert exc.code == 0, "totpfob refuses the guide's command: %s" % line
        return
    assert parsed.command, line
    board = getattr(parsed, "board", None)
    if board and board.islower():  # a real name, not a placeholder such as PANEL
        boards.load(board)  # UserError for a board totpfob does not know


def _command_names() -> set:
    parser = cli.build_parser()
    (commands,) = [a for a in parser._actions if a.dest == "command"]
    return set(commands.choices)


def _anchor(heading: str) -> str:
    """The #fragment a Markdown renderer (GitHub's rules) gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_picture_link_and_section_it_points_to_exists():
    text = guide()
    anchors = {_anchor(m) for m in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith("#"):
            assert target[1:] in anchors, "no section for the link %s" % target
        elif not target.startswith(("http://", "https://")):
            assert (ROOT / target).is_file(), "the guide points to %s, which is not in the repository" % target
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert any("screens/hu-" in picture for picture in pictures)  # the token's screens, in Hungarian


def _table_rows(heading: str) -> list:
    """The first cells of the table under `heading` (without its header row)."""
    section = guide().split(heading, 1)[1]
    rows = []
    for line in section.splitlines()[1:]:
        if line.startswith("#"):
            break
        if line.startswith("| ") and not line.startswith("|---"):
            rows.append(line.split(" | ")[0][2:].strip())
    return rows[1:]


def _hungarian_messages() -> list:
    from babel.messages.pofile import read_po

    with open(CATALOG, "rb") as f:
        catalog = read_po(f)
    said = []
    for message in catalog:
        if message.id and message.string:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            said.extend(s for s in strings if s)
    return said


def _pieces(cell: str) -> list:
    """What a quoted message is made of: the cell without the guide's own notes (*in italics*), split at the
    `…` that stands for a port, a file name or a number."""
    quoted = re.sub(r"\*\([^)]*\)\*", "", cell).replace("`", "")
    return [piece.strip(" .,;:") for piece in quoted.split("…") if piece.strip(" .,;:")]


def test_the_messages_the_guide_quotes_are_what_totpfob_says_in_hungarian():
    said = _hungarian_messages()
    rows = _table_rows("### A számítógépen")
    assert len(rows) > 20
    for cell in rows:
        pieces = _pieces(cell)
        assert any(all(piece in message for piece in pieces) for message in said), (
            "the guide quotes %r, which totpfob does not say in Hungarian (any more)" % cell)


def test_the_token_screens_the_guide_quotes_are_what_the_token_shows_in_hungarian():
    shown = [" ".join(lines.split("\n")) for lines in runpy.run_path(str(TOKEN_WORDS))["TEXTS"].values()]
    quoted = [cell[1:-1] for cell in _table_rows("### A token kijelzőjén") if re.fullmatch(r"\*[^*]+\*", cell)]
    assert len(quoted) >= 5
    for screen in quoted:
        for part in screen.split(" — "):
            assert any(part in text for text in shown), (
                "the guide says the token shows %r, which it does not in Hungarian" % part)


# The page's words the guide leads the reader by (its "totpfob gui" section), as the page shows them in Hungarian.
PAGE_WORDS = ("Az Ön tokenjei", "Keresés újra", "Fiók hozzáadása", "Kép kiválasztása", "Olvassa le a képernyőmről",
              "Nincs kép? Használja a hivatkozást vagy a kulcsot", "Beolvasás", "Talált fiók:",
              "Ezekre a tokenekre kerüljön:", "Hozzáadás", "Írja be ezt a kódot a párosító oldalon",
              "Ha lejár az idő, írja be inkább ezt:", "Kész", "Átnevezés", "Törlés", "Teljes törlés",
              "Az óra beállítása", "Átvétel telefonos alkalmazásból", "Mi van benne?", "Nyelv")


def test_the_page_words_the_guide_names_are_the_pages_own():
    from babel.messages.pofile import read_po
    from totpfob.gui.texts import PAGE

    section = " ".join(guide().split("## Ugyanez ablakban", 1)[1].split("\n## ", 1)[0].split())
    on_page = set()
    for po in CATALOG.parent.glob("*.po"):  # the catalog, and a pending-*.po not merged into it yet
        with open(po, "rb") as f:
            on_page.update(m.string for m in read_po(f) if m.id in PAGE.values() and isinstance(m.string, str))
    for words in PAGE_WORDS:
        assert words in section, "the guide's gui section no longer names %r" % words
        assert any(text == words or text.startswith(words) for text in on_page), (
            "the guide names %r, which the page does not show in Hungarian" % words)
