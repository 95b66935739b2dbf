"""What ``bench/soak.py`` serves with gunicorn: the production entry point (``grantportal.wsgi:app``, built from
the environment only) plus the floor route of ``bench/public_pages.py`` — a bare Flask route rendering a 50-row
table from memory with the site's base template — so that the floor is measured through the same gunicorn
workers, network stack and client as the pages."""
from flask import render_template_string
from public_pages import FLOOR_TEMPLATE

from grantportal.wsgi import app


@app.route("/_floor")
def floor():
    rows = [{"name": f"中山市测试社会组织{i:07d}", "uscc": "53100000500019795A", "kind": "社会服务机构",
             "grade": "4A"} for i in range(50)]
    return render_template_string(FLOOR_TEMPLATE, rows=rows)
