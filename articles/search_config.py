"""Which PostgreSQL text search configuration reads each language: its stemmer and stop words.

:data:`CONFIGS` is the one mapping. Migration ``0024_search_languages`` writes it into the
database as the SQL function ``articles_search_config(language)``, which the trigger that
fills ``search_vector`` and every search query (articles/search.py) call, so a story is stored
and sought with the same configuration. A code is read up to its first hyphen ("pt-br" is
Portuguese). Any code not in the mapping, or whose configuration the server lacked when the
function was written, is read with ``simple``: words lowercased, no stemming, no stop words.
A language added to ``NEWSROOM_LANGUAGES`` later therefore needs no migration.

Changing the mapping does need one: a migration that calls :func:`install_function` again and
recomputes the stories whose configuration changed, as 0024 does.
"""

import re

FUNCTION = "articles_search_config"
FALLBACK = "simple"

# The configurations PostgreSQL ships (pg_ts_config), by ISO 639-1 code.
CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}

_NAME = re.compile(r"[a-z]+")


def config_name(language: str, available: set[str] | None = None) -> str:
    """Return the configuration that reads *language* ("ru" → "russian"), or ``simple``.

    With *available* (the server's configurations), one the server lacks is ``simple`` too.
    """
    name = CONFIGS.get(language.lower().split("-")[0], FALLBACK)
    if available is not None and name not in available:
        return FALLBACK
    return name


def install_function(cursor) -> dict[str, str]:
    """Write ``articles_search_config(language)`` for this server (PostgreSQL); return the
    codes it maps to a configuration other than ``simple``.

    Only the configurations the server has are mapped: older servers lack Armenian or
    Serbian, for instance. The function is immutable, so a query's
    ``articles_search_config('ru')`` is worked out once, when it is planned, and the
    full-text index serves it as before.
    """
    cursor.execute(
        "SELECT cfgname FROM pg_ts_config WHERE cfgnamespace = 'pg_catalog'::regnamespace"
    )
    available = {name for (name,) in cursor.fetchall()}
    mapped = {code: config_name(code, available) for code in CONFIGS}
    mapped = {code: name for code, name in mapped.items() if name != FALLBACK}
    # Codes and names are this module's own constants; checked all the same, as they go
    # into the SQL text.
    assert all(_NAME.fullmatch(word) for pair in mapped.items() for word in pair)
    cases = "\n".join(
        f"        WHEN '{code}' THEN 'pg_catalog.{name}'" for code, name in sorted(mapped.items())
    )
    cursor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}(code text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT (CASE split_part(lower(code), '-', 1)
{cases}
            ELSE 'pg_catalog.{FALLBACK}'
        END)::regconfig
        $$
        """
    )
    return mapped
