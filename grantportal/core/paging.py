"""View plumbing shared by the domains: an object or 404, the ?page= number, and the pager the templates
show (templates/_form.html ``pager`` macro)."""
from flask import abort, request

from grantportal.core.db import db

MAX_PAGE = 10_000
PER_PAGE = 100


def get_or_404(model, ident, *options):
    """The row with this primary key, or 404; ``options`` load what the page shows with it (e.g.
    ``joinedload(Application.org)``), so that its template does not query."""
    obj = db.session.get(model, ident, options=options)
    if obj is None:
        abort(404)
    return obj


def page_number(max_page=MAX_PAGE):
    """?page= clamped to [1, max_page]; missing, 0 or not a number is page 1."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), max_page)


class Pager:
    """``total`` rows shown ``per_page`` at a time, on ``page`` (past the last page: the last page), with the
    attributes the ``pager`` macro reads; ``start`` is the offset of the page's first row."""

    def __init__(self, total, page, per_page=PER_PAGE):
        self.total = total
        self.pages = max(1, -(-total // per_page))
        self.page = min(page, self.pages)
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1
        self.start = (self.page - 1) * per_page
