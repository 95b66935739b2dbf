"""Rating tiers in force on a date (社会组织评估管理办法, 2026 revision).

A grade's validity (有效期) is computed on the server from the announcement date (公告日期), never from
the day the officer types it in: under the 2026 revision it runs from 1 January after the announcement
to 31 December of the fifth year (DESIGN.md §4). An officer may record another validity only with a
reason (``orgs.operations.add_rating``), which is stored on the record and audited.
"""
from datetime import date

VALIDITY_RULE = "有效期自公告次年1月1日起至第五年12月31日止（《社会组织评估管理办法》2026年修订）"


def default_validity(announced_on):
    """From 1 January after the announcement to 31 December of the fifth year: announced 2025-06-30 →
    2026-01-01 to 2030-12-31; announced 2025-12-31 → the same; announced 2026-01-01 → 2027 to 2031."""
    start = date(announced_on.year + 1, 1, 1)
    return start, date(start.year + 4, 12, 31)


def effective_rating(org, on):
    """The rating record in force on a date, or None (unrated; an expired grade counts as unrated)."""
    in_force = [r for r in org.ratings if r.in_force_on(on)]
    if not in_force:
        return None
    return max(in_force, key=lambda r: (r.announced_on, r.id))


def effective_tier(org, on):
    record = effective_rating(org, on)
    return record.grade if record else None


def tier_label(org, on):
    """What to show for the grade in force on a date: "4A", "等级已过期" or "未评级"."""
    grade = effective_tier(org, on)
    if grade is not None:
        return grade.label
    lapsed = any(r.valid_until < on and (r.ended_on is None or r.ended_on > r.valid_until)
                 for r in org.ratings)
    return "等级已过期" if lapsed else "未评级"


def record_state(record, on):
    """A short label for one rating record on a date (for the history table)."""
    if record.end_kind is not None and record.ended_on is not None and record.ended_on <= on:
        return record.end_kind.label
    if on < record.valid_from:
        return "尚未生效"
    if on > record.valid_until:
        return "已过期"
    return "有效"
