"""Starting a call as a copy of an earlier one (the next edition of 博爱100, next year's purchase of
services): the new call's form starts with the earlier call's settings, one year on, with no dates and no
edition — the officer fills those in and saves; the result, funding settings and files come along."""
from datetime import date

from grantportal.calls.form_data import call_data


def one_year_on(day):
    """The same date a year later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 2, 28)


def copy_data(source):
    """The form data of a new call copied from ``source``."""
    data = call_data(source)
    data.update(edition="", year=source.year + 1, reference_date=one_year_on(source.reference_date))
    for section in ("levels", "documents", "criteria", "funding_sources"):
        data[section] = [{k: v for k, v in row.items() if k != "id"} for row in data[section]]
    data["stages"] = [{"enabled": row["enabled"]} for row in data["stages"]]
    data["catalogue_items"] = []  # next year's catalogue has its own items
    return data
