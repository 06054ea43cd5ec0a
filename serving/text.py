"""Text that every output format can carry."""

import re

# C0 and C1 control characters other than tab and newline, lone surrogates and the two
# noncharacters U+FFFE and U+FFFF: invisible in a page, and XML (the feeds) cannot carry them
# at all, so a stray one pasted into a title, or sent by an oEmbed provider, would break them.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def without_control_characters(text: str) -> str:
    """Return *text* without the control characters that XML cannot carry."""
    return CONTROL_CHARACTERS.sub("", text)
