"""The orgs domain's blueprint; its routes live in ``orgs/views/`` by audience."""
from flask import Blueprint

bp = Blueprint("orgs", __name__)
