"""One spelling for text that looks the same: what readers type, cleaned before it is stored.

Readers' names and reviews can carry characters that draw nothing (a zero-width space, a
left-to-right mark, Unicode tag characters) or that look like others (a fullwidth "Ａ",
a Cyrillic "о" in a Latin word). They hide words from the moderation rules, defeat the
duplicate check and disguise links. :func:`clean_text` gives such text one spelling,
:func:`comparison_key` the form two texts are compared in, and :func:`mixed_scripts` tells
whether a word (a link's host name) mixes alphabets the way look-alike domains do.

The script of a character is read roughly from its Unicode name ("CYRILLIC SMALL LETTER
O" is Cyrillic): enough to tell alphabets apart, with no dependency beyond ``unicodedata``.
"""

import re
import unicodedata

ZWNJ = "\u200c"
ZWJ = "\u200d"
MONGOLIAN_VOWEL_SEPARATOR = "\u180e"
JOINERS = frozenset({ZWNJ, ZWJ, MONGOLIAN_VOWEL_SEPARATOR})
VIRAMA = 9  # the canonical combining class of viramas (Devanagari "्", Sinhala al-lakuna)

# Scripts whose letters join or form conjuncts: there ZWNJ and ZWJ change how a word is
# drawn and read (Persian "می‌خواهم", Devanagari half forms), so they are kept between
# letters of one of them. The first word of a character's Unicode name.
JOINING_SCRIPTS = frozenset(
    {
        "ARABIC",
        "SYRIAC",
        "NKO",
        "MANDAIC",
        "MONGOLIAN",
        "DEVANAGARI",
        "BENGALI",
        "GURMUKHI",
        "GUJARATI",
        "ORIYA",
        "TAMIL",
        "TELUGU",
        "KANNADA",
        "MALAYALAM",
        "SINHALA",
        "MYANMAR",
        "KHMER",
    }
)
# Format characters that print a sign (the Arabic number sign, the end of ayah): visible,
# so they cannot hide anything.
VISIBLE_FORMAT = frozenset("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2")
# Not format characters, yet they draw nothing: the combining grapheme joiner, the Hangul
# fillers (a "name" of U+3164 alone looks empty) and two Khmer vowels Unicode deprecates.
INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")
EMOJI_MODIFIERS = frozenset(chr(code) for code in range(0x1F3FB, 0x1F400))
VARIATION_SELECTORS = re.compile(r"[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
# A flag of a region (England, Scotland, Wales): a black flag, the region's code in tag
# letters and digits, a cancel tag. Tag characters anywhere else hide text.
EMOJI_TAG_SEQUENCE = re.compile(
    "\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{1,6}\U000e007f"
)
# Hangul compatibility jamo, which Korean readers type alone ("ㅋㅋ", "ㅠㅠ"). NFKC turns
# them into conjoining jamo that fonts then merge into syllables, so they skip it.
NOT_COMPATIBILITY_JAMO = re.compile(r"[^\u3131-\u318e]+")
LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
WHITESPACE = re.compile(r"\s+")

# Writing systems that mix scripts by design, each also with Latin (the "highly
# restrictive" level of Unicode's UTS #39): Japanese, Chinese with Bopomofo, Korean.
SCRIPT_MIXES = (
    frozenset({"LATIN", "CJK", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "CJK", "BOPOMOFO"}),
    frozenset({"LATIN", "CJK", "HANGUL"}),
)
SCRIPT_NAMES = {"CJK": "Han", "NKO": "N’Ko"}


def clean_text(text: str, *, multiline: bool = True) -> str:
    """Return *text* normalised to NFKC, without invisible characters, trimmed.

    The rule:

    - NFKC folds compatibility forms into their plain letters (fullwidth "Ａ" to "A", "ﬁ"
      to "fi", mathematical bold letters, superscript digits); Hangul compatibility jamo
      are left as typed (see ``NOT_COMPATIBILITY_JAMO``).
    - Every line break (CR LF, CR, VT, FF, NEL, U+2028, U+2029) becomes "\\n", and every
      other space (no-break, thin, ideographic...) a plain space. With *multiline* false
      (a name) line breaks and tabs are spaces too and runs of spaces become one.
    - Control characters go, except the newline and the tab of a multiline text.
    - Format characters (Unicode category Cf) go: zero-width space, word joiner, soft
      hyphen, byte-order mark, the bidirectional marks, embeddings, overrides and isolates
      (LRM, RLM, ALM, LRE...PDI), tag characters, invisible operators. Kept are:

      * ZWNJ and ZWJ between two letters or marks of the same joining script
        (``JOINING_SCRIPTS``: Arabic and Persian, Syriac, the Indic scripts...), or right
        after a virama of one, as IDNA 2008's CONTEXTJ rules allow them in domain names;
      * ZWJ inside an emoji sequence: after a pictograph (with its skin tone or emoji
        presentation selector) and before another one ("👩‍💻", "🏳️‍🌈");
      * the Mongolian vowel separator between Mongolian letters;
      * a region flag's tag sequence ("🏴" + "gbsct" in tags + cancel tag);
      * the few format characters that print a sign (``VISIBLE_FORMAT``).

      Elsewhere (between Latin letters, at a word's end) a joiner changes nothing visible.
    - Characters that draw nothing although they are not Cf (``INVISIBLE``) go.
    - A variation selector is kept only right after a visible character, one per
      character: enough for emoji and ideographic variants, too few to hide text in.
    """
    text = LINE_BREAKS.sub("\n", _nfkc(text))
    kept: list[str] = []
    index = 0
    shown = 0  # where the next character that is not a format character is, once looked for
    while index < len(text):
        char = text[index]
        flag = EMOJI_TAG_SEQUENCE.match(text, index) if char == "\U0001f3f4" else None
        if flag:
            kept.extend(flag[0])
            index = flag.end()
            continue
        index += 1
        category = unicodedata.category(char)
        if char in "\n\t":
            kept.append(char if multiline else " ")
        elif category == "Zs":
            kept.append(" ")
        elif category == "Cc" or char in INVISIBLE:
            continue
        elif category == "Cf":
            if char in JOINERS and kept:
                shown = max(shown, index)
                while shown < len(text) and unicodedata.category(text[shown]) == "Cf":
                    shown += 1
                after = text[shown] if shown < len(text) else None
                if _joiner_needed(char, kept, after):
                    kept.append(char)
            elif char in VISIBLE_FORMAT:
                kept.append(char)
        elif VARIATION_SELECTORS.fullmatch(char):
            if kept and _is_base(kept[-1]):
                kept.append(char)
        else:
            kept.append(char)
    cleaned = "".join(kept)
    if not multiline:
        cleaned = WHITESPACE.sub(" ", cleaned)
    return cleaned.strip()


def comparison_key(text: str) -> str:
    """Return the form in which two texts count as the same: for the duplicate check.

    :func:`clean_text`, then case-folded, without any joiner, variation selector or other
    format character left (they change how a text is drawn, never what it says), and
    with every run of whitespace, line breaks included, as one space.
    """
    folded = unicodedata.normalize("NFKC", clean_text(text).casefold())
    shown = "".join(
        char
        for char in folded
        if unicodedata.category(char) != "Cf" and not VARIATION_SELECTORS.fullmatch(char)
    )
    return WHITESPACE.sub(" ", shown).strip()


def script(char: str) -> str | None:
    """Return the script of the letter *char* ("LATIN", "CYRILLIC"...), or None.

    Digits, punctuation, marks and modifier letters (shared by several scripts) have none.
    """
    category = unicodedata.category(char)
    if not category.startswith("L") or category == "Lm":
        return None
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] or None


def mixed_scripts(word: str) -> list[str]:
    """Return the scripts of *word*'s letters if they mix as look-alike spellings do.

    In the order they first appear, named for people ("Latin", "Cyrillic"); an empty list
    for a word in one script or in a writing system that mixes scripts by design
    (``SCRIPT_MIXES``: Japanese, Chinese, Korean, each with Latin).
    """
    found = list(dict.fromkeys(filter(None, map(script, word))))
    if len(found) < 2 or any(set(found) <= mix for mix in SCRIPT_MIXES):
        return []
    return [SCRIPT_NAMES.get(name, name.title()) for name in found]


def _nfkc(text: str) -> str:
    return NOT_COMPATIBILITY_JAMO.sub(lambda run: unicodedata.normalize("NFKC", run[0]), text)


def _is_base(char: str) -> bool:
    return unicodedata.category(char)[0] not in "CZ" and not VARIATION_SELECTORS.fullmatch(char)


def _joiner_needed(joiner: str, kept: list[str], after: str | None) -> bool:
    """Return whether *joiner*, between the text *kept* so far and *after*, is needed."""
    if after is None:
        return False
    if joiner == ZWJ and _ends_with_pictograph(kept) and _is_pictograph(after):
        return True
    before = kept[-1]
    before_script = _joining_script(before)
    if before_script is None:
        return False
    if joiner == MONGOLIAN_VOWEL_SEPARATOR:
        return before_script == "MONGOLIAN" and _joining_script(after) == "MONGOLIAN"
    return _joining_script(after) == before_script or unicodedata.combining(before) == VIRAMA


def _joining_script(char: str) -> str | None:
    if unicodedata.category(char)[0] not in "LM":
        return None
    name = unicodedata.name(char, "").split(" ", 1)[0]
    return name if name in JOINING_SCRIPTS else None


def _ends_with_pictograph(kept: list[str]) -> bool:
    for char in reversed(kept):
        if char == "\ufe0f" or char in EMOJI_MODIFIERS:
            continue
        return _is_pictograph(char)
    return False


def _is_pictograph(char: str) -> bool:
    # "Symbol, other" holds the emoji (and other pictographs): Python's unicodedata has
    # no Extended_Pictographic property, and a joiner between two symbols hides nothing.
    return unicodedata.category(char) == "So"
