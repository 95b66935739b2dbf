"""Counting the SQL that runs while a template renders: a page's view gathers what it shows, and the template
only formats it (docs/architecture.md). Used by tests/core/test_templating.py and by the permission matrix,
which renders every page as every role."""
from contextlib import contextmanager

import sqlalchemy as sa
from flask import before_render_template, template_rendered

from grantportal.core.db import db


@contextmanager
def queries_while_rendering(app):
    """SQL statements run while a template of ``app`` renders, as (template, statement) pairs."""
    rendering, seen = [], []

    def started(sender, template, context, **extra):
        rendering.append(template.name or "<string>")

    def finished(sender, template, context, **extra):
        rendering.pop()

    def executed(conn, cursor, statement, parameters, context, executemany):
        if rendering:
            seen.append((rendering[0], " ".join(statement.split())[:200]))

    before_render_template.connect(started, app)
    template_rendered.connect(finished, app)
    sa.event.listen(db.engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", executed)
        template_rendered.disconnect(finished, app)
        before_render_template.disconnect(started, app)
