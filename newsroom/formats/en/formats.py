"""The newsroom's date formats (FORMAT_MODULE_PATH = "newsroom.formats"): one way of writing a
time everywhere the admin shows one, e.g. "9 Dec 2026, 09:52".

Day before month, with the month as a word, so that no reader wonders whether 12/09 is
December or September; a 24-hour clock with leading zeros, as the site itself writes times;
the year always, since stories are edited for years. SHORT_* are the same on purpose: the
admin uses both names, and the issue was five formats, not too long a one. Times are shown in
TIME_ZONE (Django converts before formatting); the input widgets keep Django's own formats.

The STORY_* formats are the reader pages' own (and their emails'): the month in full, no
comma, "9 May 2024 19:20". Templates and code name them (``|date:"STORY_DATE_FORMAT"``,
``date_format(value, "STORY_DATETIME_FORMAT")``) so that each language writes them its own
way; every language the site offers needs them (newsroom/formats/<code>/formats.py, tested).
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
# The date drill-down above the story list ("December 2026", "9 December").
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"

# Reader pages, feeds and emails: "9 May 2024 19:20", "9 May 2024".
STORY_DATETIME_FORMAT = "j F Y H:i"
STORY_DATE_FORMAT = "j F Y"
# A line of the moderators' digest, where the year goes without saying: "9 May 19:20".
DAY_TIME_FORMAT = "j M H:i"
