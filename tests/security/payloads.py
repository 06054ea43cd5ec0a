"""A corpus of hostile input, sent through every public form and query parameter and through
the story fields an editor saves (tests/security/test_hostile_input.py, tests/e2e).

Each list is what an attacker, a broken client or an unlucky paste would send. None of it may
cause a server error, and none of it may come back as live markup.
"""

# Markup and script: what must never come back unescaped.
XSS = [
    '<script>alert("xss")</script>',
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    '<a href="javascript:alert(1)">click me</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    '" autofocus onfocus="alert(1)',
    "<body onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    "<style>body { display: none }</style>",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    "javascript:alert(1)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]

# SQL meant to break out of a string or a number.
SQL = [
    "' OR '1'='1",
    "'; DROP TABLE articles_article; --",
    "1) OR (1=1",
    '" OR ""="',
    "1 UNION SELECT username, password FROM auth_user--",
    "%' AND 1=0 UNION SELECT NULL--",
    "'; SELECT pg_sleep(5); --",
    "\\",
    "%_%",
]

# Template syntax of ours and of others: shown as text, never evaluated.
TEMPLATE = [
    "{{ 7*7 }}",
    "{% debug %}",
    "{{ settings.SECRET_KEY }}",
    "{% load static %}{% get_static_prefix %}",
    "{{ request.user.password }}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{constructor.constructor('alert(1)')()}}",
]

# Sizes no form expects.
LONG = [
    "A" * 10_000,
    "word " * 2_000,
    "ж" * 5_000,
    "😀" * 3_000,
]

# Characters that hide, reorder or end text.
CONTROL = [
    "nul\x00byte",
    "\x00",
    "bell\x07and\x1bescape",
    "line\u2028separator",
    "RTL override \u202egnp.exe\u202c",
    "isolate \u2066hidden\u2069",
    "zero\u200bwidth",
    "\ufeffbyte order mark",
]

# Text that is perfectly fine and must survive as written.
UNICODE = [
    "Грузия — საქართველო — Հայաստան — Azərbaycan",
    "مرحبا بالعالم",
    "שלום עולם",
    "🇬🇪 🇦🇲 🇦🇿",
    "e\u0301 (combining accent)",
]

# Percent-encoded bytes that are not valid UTF-8, for query strings and paths.
RAW_QUERY_VALUES = ["%ff%fe", "%c0%af", "%ed%a0%80", "%00", "%e2%82", "%", "%zz", "a%ff%00b"]

ALL = XSS + SQL + TEMPLATE + LONG + CONTROL + UNICODE
# Short enough for any field (titles take 200 characters): for the story fields.
SHORT = [payload for payload in ALL if len(payload) <= 150]
