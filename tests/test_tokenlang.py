"""The token speaks Hungarian or English: the language stored on it survives restarts and power cuts (old or
new, never garbage), every text screen has its words in both languages, and every line of them fits the
narrowest panel whole, drawn with letters the token has. Both VMs."""

import json
import re

import pytest
import ui

NARROWEST = min(128 // 8, 240 // 16)  # characters a line holds: the OLED's 8 px letters, the TFTs' 16 px
LABEL = "kovacs.jozsefne@ugyfelkapu.gov.hu"


@pytest.fixture
def cases(vm, tmp_path):
    proc = vm.run("tokenlang_cases.py", str(tmp_path))
    return {(c["case"], c.get("language")): c for c in map(json.loads, proc.stdout.splitlines())}


def test_the_language_record_keeps_the_last_language_set_and_reads_damage_as_never_set(cases):
    never, hu, en, refused, after_refusal, after_cut, after_leftover, flipped, foreign = cases["record", None]["seen"]
    assert never is None  # a new token: shown in English, and the host may set its own
    assert (hu, en) == ("hu", "en")  # the last one set, as read afresh (a restart reads the same file)
    assert refused and after_refusal == "en"  # a language the firmware does not speak changes nothing
    assert after_cut == "en" and after_leftover == "hu"  # a write cut before its rename: the old one stays
    assert flipped is None and foreign is None  # damage is never taken for a language


def test_the_screens_speak_the_language_set_and_english_until_one_is(cases):
    loaded = cases["load", None]
    assert loaded["unset"] == loaded["en"] == ["No accounts", "Add one with", "totpfob add"]
    assert loaded["hu"][0] == "Nincs fiók"


@pytest.mark.parametrize("language", ["en", "hu"])
def test_every_line_fits_the_narrowest_panel_in_letters_the_token_draws(cases, language):
    filled = cases["words", language]["filled"]
    for name, lines in filled.items():
        for line in lines:
            if LABEL in line:  # a question's label: the panel shortens it keeping both ends (ui.shorten)
                assert len(line) - len(LABEL) <= 4, (name, line)
                continue
            assert len(line) <= NARROWEST, "%s: %r has %d characters" % (name, line, len(line))
            drawn = [ch for ch in line if ord(ch) >= 128 and ui._LETTERS.find(ch) < 0]
            assert not drawn, "%s: %r has letters the token cannot draw: %r" % (name, line, drawn)


def test_both_languages_have_every_text_with_the_same_blanks():
    import text_en
    import text_hu

    assert sorted(text_en.TEXTS) == sorted(text_hu.TEXTS)
    for name, english in text_en.TEXTS.items():
        hungarian = text_hu.TEXTS[name]
        blanks = re.compile(r"%[-+ 0-9.]*[dsf%]")
        assert [b[-1] for b in blanks.findall(english)] == [b[-1] for b in blanks.findall(hungarian)], name
        if name not in ("time", "left", "point") and english.count("\n") == hungarian.count("\n"):
            assert english != hungarian, name  # translated, not copied


def test_hungarian_screens_say_it_in_hungarian(cases):
    hu = cases["words", "hu"]["filled"]
    assert hu["empty"][0] == "Nincs fiók"
    assert hu["clock-lost"][0] == "Az óra leállt"
    assert hu["hold"] == ["Tartsa: A, 3 mp"]
    assert hu["delete"][0] == "Törli ezt:"
    assert hu["drift"][-1] == "Járás +1,5 ppm"  # a decimal comma
    assert hu["date"] == ["2199. 12. 31."]


def test_a_power_cut_while_the_language_is_set_leaves_the_old_or_the_new_one(micropython_vm):
    from conftest import VM_SCRIPTS

    proc = micropython_vm.run("settings_powercut_cases.py", extra_path=[VM_SCRIPTS], heap="2m", timeout=300)
    changes = json.loads(proc.stdout.splitlines()[-1])["changes"]
    assert [(c["from"], c["to"]) for c in changes] == [(None, "hu"), ("hu", "en"), ("en", "hu"), ("hu", "hu")]
    for change in changes:
        # Each write of the record is a few flash operations (the temp file, its close, the rename), each cut
        # three ways; every reboot after a cut read the language before or after, and took the next change.
        assert change["cut_points"] >= 6 and change["cut_points"] % 3 == 0, change
        assert change["wrong"] == [], change


def test_the_next_code_is_announced_in_the_tokens_language_and_never_cut(cases):
    drawn = cases["next", None]["drawn"]
    for size in ("128x64", "240x135"):
        assert drawn[size + " en 654321"] == "next 654 321"
        assert drawn[size + " hu 654321"] == "k v. 654 321"  # köv.: the ö's cell is left to its own glyph
    assert drawn["128x64 en 1234567890"] == "next 12345 67890"  # 16 characters: what the OLED holds
    for language in ("en", "hu"):  # the TFTs' 15 big letters: the code alone, never a cut one
        assert drawn["240x135 %s 1234567890" % language] == "12345 67890"


@pytest.mark.parametrize("language", ["en", "hu"])
def test_every_screen_has_few_enough_lines_to_stay_apart(cases, language):
    """At most 7 lines: on the 64-row OLED each keeps its 8 rows and one blank row (ui.Screen.message)."""
    filled = cases["words", language]["filled"]
    for question in ("replace", "rename", "delete", "wipe", "maintenance"):
        assert len(filled[question]) + 2 <= 7, question  # + the hold and the countdown
    assert len(filled["clock"]) / 6 + 2 <= 7  # (six jumps were filled in, each with its lines)
    assert len(filled["clock-lost"]) + 2 <= 7  # on the status screen, + the battery and the accounts
    assert 2 + len(filled["never"]) + 1 + 1 + 1 <= 7  # the status: date, time, sync, drift, battery, accounts
