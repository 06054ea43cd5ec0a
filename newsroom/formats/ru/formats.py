"""The newsroom's date formats in Russian: the English ones (newsroom/formats/en) as a Russian
newsroom writes them.

A date after a day number takes the month in the genitive ("E": "9 мая 2024"), the month on
its own the nominative ("F": "май 2024"); no "г." after the year, which news sites leave out
next to a time. Formats not named here (input formats, numbers) are Django's own Russian ones.
"""

DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j E"

# Reader pages, feeds and emails: "9 мая 2024 19:20", "9 мая 2024".
STORY_DATETIME_FORMAT = "j E Y H:i"
STORY_DATE_FORMAT = "j E Y"
# A line of the moderators' digest: "9 мая 19:20".
DAY_TIME_FORMAT = "j E H:i"
