"""Days and moments of the demo's stories, all fixed by the day of the run."""

import datetime
import unicodedata

from django.utils import timezone


def school_day(day: datetime.date) -> datetime.date:
    """The day itself on a weekday, else the Friday before."""
    return day - datetime.timedelta(days=max(0, day.weekday() - 4))


def add_school_days(day: datetime.date, n: int) -> datetime.date:
    while n > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def birthday(date_of_birth: datetime.date, years: int) -> datetime.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:  # 29 February in a common year
        return datetime.date(date_of_birth.year + years, 3, 1)


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def local_day(moment: datetime.datetime, plus: int = 0) -> datetime.date:
    return timezone.localtime(moment).date() + datetime.timedelta(days=plus)


def latest_moment(today: datetime.date) -> datetime.datetime:
    """The end of the stories: yesterday at five, so nothing is dated in the future."""
    return at(today - datetime.timedelta(days=1), 17)


def ascii_word(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())
