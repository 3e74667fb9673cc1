"""A CronJob's schedule and timeZone, checked as kube-apiserver checks them: the schedule with robfig/cron/v3's
ParseStandard (five fields, or a descriptor), then Kubernetes' own TZ rule and time-zone names.

Sources: kubernetes pkg/apis/batch/validation/validation.go (validateScheduleFormat: cron.ParseStandard, "cannot use
TZ or CRON_TZ in schedule, use timeZone field instead"; validateTimeZone: IANA name characters, not "Local",
time.LoadLocation); robfig/cron/v3 parser.go (fields minute 0-59, hour 0-23, day of month 1-31, month 1-12 or
JAN-DEC, day of week 0-6 or SUN-SAT; `*` or `?`, `a-b`, `/step`, comma lists; descriptors @yearly @annually
@monthly @weekly @daily @midnight @hourly and @every <duration>; its error wording);
https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from typing import NamedTuple


class Field(NamedTuple):
    low: int
    high: int
    names: tuple[str, ...] = ()
    """Names for low, low+1, ... (months from 1, weekdays from 0)."""


FIELDS = (
    Field(0, 59), Field(0, 23), Field(1, 31),
    Field(1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
    Field(0, 6, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
"""robfig/cron/v3's bounds for the five standard fields, in order."""

DESCRIPTORS = {
    "@yearly": "once a year, at midnight on 1 January", "@annually": "once a year, at midnight on 1 January",
    "@monthly": "once a month, at midnight on the 1st", "@weekly": "once a week, at midnight on Sunday",
    "@daily": "once a day, at midnight", "@midnight": "once a day, at midnight",
    "@hourly": "once an hour, at minute 0",
}
"""The descriptors ParseStandard accepts (and what each means); `@every <duration>` besides."""

_DURATION = re.compile(r"^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+)$")
"""Go's time.ParseDuration syntax, which `@every` reads."""
_TZ_PART = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}$")
"""validateTimeZone's characters for each `/`-separated part of an IANA name."""


def _number(text: str, field: Field) -> int:
    if field.names and text.lower() in field.names:
        return field.low + field.names.index(text.lower())
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": invalid syntax')
    value = int(text)
    if value < 0:
        raise ValueError(f"negative number ({value}) not allowed: {text}")
    return value


def _range(expr: str, field: Field) -> None:
    """One comma-separated part of a field: `*`/`?`, `a`, `a-b`, each with an optional `/step`."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    if low_and_high[0] in ("*", "?"):
        start, end = field.low, field.high
    else:
        start = _number(low_and_high[0], field)
        if len(low_and_high) > 2:
            raise ValueError(f"too many hyphens: {expr}")
        end = _number(low_and_high[1], field) if len(low_and_high) == 2 else start
    if len(range_and_step) > 2:
        raise ValueError(f"too many slashes: {expr}")
    step = 1
    if len(range_and_step) == 2:
        step = _number(range_and_step[1], field)
        if len(low_and_high) == 1:
            end = field.high  # "N/step" means "N-max/step"
    if start < field.low:
        raise ValueError(f"beginning of range ({start}) below minimum ({field.low}): {expr}")
    if end > field.high:
        raise ValueError(f"end of range ({end}) above maximum ({field.high}): {expr}")
    if start > end:
        raise ValueError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise ValueError(f"step of range should be a positive number: {expr}")


def schedule_error(schedule: str) -> str | None:
    """Why kube-apiserver refuses this schedule of a new CronJob (robfig's or Kubernetes' wording), or None."""
    spec = schedule.strip()
    if not spec:
        return "empty spec string"
    if "TZ" in schedule:
        return "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
    if spec.startswith("@"):
        if spec.startswith("@every "):
            duration = spec.removeprefix("@every ").strip()
            return None if _DURATION.fullmatch(duration) else \
                f'failed to parse duration {spec}: time: invalid duration "{duration}"'
        return None if spec in DESCRIPTORS else f"unrecognized descriptor: {spec}"
    fields = spec.split()
    if len(fields) != len(FIELDS):
        return f"expected exactly {len(FIELDS)} fields, found {len(fields)}: [{' '.join(fields)}]"
    try:
        for text, field in zip(fields, FIELDS, strict=True):
            for part in text.split(","):
                _range(part, field)
    except ValueError as exc:
        return str(exc)
    return None


@functools.cache
def _known_zones() -> frozenset[str]:
    """The tz database's names, listed once: zoneinfo rebuilds the set on every call (~9 ms)."""
    return frozenset(zoneinfo.available_timezones())


def time_zone_error(name: str) -> str | None:
    """validateTimeZone: an explicit IANA time zone that exists (time.LoadLocation), never "Local"."""
    if not name:
        return "timeZone must be nil or non-empty string"
    if any(p in (".", "..") or p.startswith("-") or not _TZ_PART.fullmatch(p) for p in name.split("/")):
        return f"unknown time zone {name}"
    if name.lower() == "local":
        return "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"
    known = _known_zones()
    if known and name not in known and name != "UTC":  # no tz database here: the name's shape is all we can check
        return f"unknown time zone {name}"
    return None


def describe(schedule: str) -> str:
    """A short gloss of the schedule for the plan (descriptors spelled out; five fields quoted)."""
    spec = schedule.strip()
    if spec in DESCRIPTORS:
        return f"{spec}: {DESCRIPTORS[spec]}"
    if spec.startswith("@every "):
        return f"every {spec.removeprefix('@every ').strip()}"
    return f'"{spec}" (minute hour day-of-month month day-of-week)'
