"""Everything the templates get besides what their view passes in: formatting filters and the site's
names, registered here and nowhere else (issue 10) — and the main menu's links, ``nav``, which
``core/navigation.py`` computes from permissions before the page renders.

A template formats what its view gathered; nothing registered here may read the database. A view (or
its domain's ``queries.py``) loads what a page shows and passes it in; a lower domain's page asks a
higher domain through ``core.signals``. tests/core/test_templating.py holds the list below to that."""
from grantportal.core import masking, money, timeutil, wording

FILTERS = {
    "yuan": money.format_yuan,
    "wan": money.format_wan,
    "percent": money.format_percent,
    "match_share": money.format_match_share,
    "score_points": money.format_points,
    "dt": timeutil.format_datetime,
    "d": timeutil.format_date,
    "mask_phone": masking.mask_phone,
    "mask_address": masking.mask_address,
    "mask_name": masking.mask_name,
    "mask_text": masking.mask_text,
    "quoted": wording.quoted,
    "cn_number": wording.cn_number,
}


def init_app(app):
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site():
        return {"site_name": app.config["SITE_NAME"], "bureau_name": app.config["BUREAU_NAME"]}
