"""The public catalogue pages: the years with a published catalogue, and a year's catalogues with their items,
each item's requirements and indicative budget, and what was bought under it — the public calls that name it with
their funded projects' count and amount (asked of the domains above through ``core.signals``)."""
from flask import Response, abort, render_template

from grantportal.catalogue.blueprint import bp
from grantportal.catalogue.download import csv_text
from grantportal.catalogue.queries import published_of_year, published_years
from grantportal.core import signals


@bp.route("/catalogue/")
def years():
    return render_template("catalogue/years.html", years=published_years())


def _published(year):
    """The year's published catalogues and what was bought under their items, or 404."""
    catalogues = published_of_year(year)
    if not catalogues:
        abort(404)
    item_ids = [item.id for c in catalogues for cat in c.categories for item in cat.items]
    return catalogues, signals.ask(signals.catalogue_item_purchases, item_ids) if item_ids else {}


@bp.route("/catalogue/<int:year>")
def year(year):
    catalogues, purchases = _published(year)
    return render_template("catalogue/year.html", year=year, catalogues=catalogues, purchases=purchases)


@bp.route("/catalogue/<int:year>.csv")
def year_csv(year):
    """The year's page as data (catalogue/download.py)."""
    catalogues, purchases = _published(year)
    return Response(csv_text(catalogues, purchases), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="catalogue-{year}.csv"'})
