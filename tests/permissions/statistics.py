"""统计: the statistics page and each table's CSV are public; an unknown table is 404 for everyone."""
from tests.permissions.funding import funding_world
from tests.permissions.spec import NOT_FOUND, Route, public

ROUTES = [
    Route("statistics.index", params=lambda w: funding_world(w) and {}, expect=public(), published=True),
    Route("statistics.table_csv", params=lambda w: funding_world(w) and {"name": "call"}, expect=public(),
          label="call", published=True),
    Route("statistics.table_csv", params=lambda w: {"name": "year"}, expect=public(), label="empty"),
    Route("statistics.table_csv", params=lambda w: {"name": "weather"}, expect=public(NOT_FOUND), label="unknown"),
]
