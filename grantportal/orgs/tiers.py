"""Rating tiers in force on a date (社会组织评估管理办法, 2026 revision)."""
from datetime import date


def default_validity(announced_on):
    """From 1 January after the announcement to 31 December of the fifth year."""
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
