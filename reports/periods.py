"""Reporting periods: calendar quarters (the OOGO's rhythm) and the day boundaries of a date."""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def of(cls, day: datetime.date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """``2026-Q3`` (case-insensitive); ValueError otherwise."""
        match = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", (text or "").strip())
        if not match:
            raise ValueError(text)
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime.date:
        return self.next().start - datetime.timedelta(days=1)

    def next(self) -> "Quarter":
        return Quarter(self.year + (self.number == 4), self.number % 4 + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def last(self, count: int) -> list["Quarter"]:
        """The ``count`` quarters ending with this one, oldest first."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous())
        return quarters[::-1]

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}"


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Local midnight at the start of ``day`` as an aware datetime (for timestamp columns)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The exclusive upper bound of ``day``: local midnight of the next day."""
    return start_of_day(day + datetime.timedelta(days=1))
