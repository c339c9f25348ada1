"""The words of the token's text screens, in the language set with `totpfob language` (settings.py).

Each language is one module (text_en.py, text_hu.py) holding one dict, TEXTS: screen or question name -> its
lines as one string, "\n" between lines, with %-placeholders for what the screen fills in (a label, a number).
A language's module is imported only when a text screen is first drawn: a token woken to show a code (the code
screen has no words) never loads one. Every line fits the narrowest panel: 15 characters (the 240 px panels draw
16 px letters); tests/test_tokenlang.py checks each one in each language, with the largest numbers it can show.
"""

import settings


def load(language=None):
    """The TEXTS of `language` ("en" or "hu"), or of the language stored on the token when None; English when
    it was never set."""
    if language is None:
        language = settings.language()
    if language == "hu":
        import text_hu

        return text_hu.TEXTS
    import text_en

    return text_en.TEXTS


def lines(words, name, *values):
    """The screen or question `name` as a tuple of lines, its placeholders filled with values."""
    text = words[name]
    if values:
        text = text % values
    return tuple(text.split("\n"))
