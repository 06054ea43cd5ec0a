"""The newsroom's date formats (FORMAT_MODULE_PATH = "newsroom.formats"): one way of writing a
time everywhere the admin shows one, e.g. "9 Dec 2026, 09:52".

Day before month, with the month as a word, so that no reader wonders whether 12/09 is
December or September; a 24-hour clock with leading zeros, as the site itself writes times;
the year always, since stories are edited for years. SHORT_* are the same on purpose: the
admin uses both names, and the issue was five formats, not too long a one. Times are shown in
TIME_ZONE (Django converts before formatting); the input widgets keep Django's own formats.

The reader pages write their dates with their own explicit formats
(``articles_tags.NEWS_DATETIME_FORMAT``), which these do not change.
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
# The date drill-down above the story list ("December 2026", "9 December").
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
