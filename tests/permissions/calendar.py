"""Permission rows for the working-day calendar (节假日安排): staff read, officers confirm."""
from tests.permissions.spec import ALLOW, DENY, NOT_FOUND, Route, staff_only

ROUTES = [
    Route("calendar.index", expect=staff_only(readers=ALLOW)),
    Route("calendar.year", params=lambda w: {"year": 2027}, expect=staff_only(readers=ALLOW)),
    # an empty form is shown again with its errors (200) to the officer; the auditor only reads
    Route("calendar.year", "POST", params=lambda w: {"year": 2027}, expect=staff_only(readers=DENY)),
    Route("calendar.year", params=lambda w: {"year": 1999}, label="out of range",
          expect=staff_only(readers=NOT_FOUND, officer=NOT_FOUND)),
]
