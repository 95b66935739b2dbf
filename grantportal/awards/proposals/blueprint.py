"""The proposals sub-domain's blueprint; its routes live in ``awards/proposals/views/`` by audience."""
from flask import Blueprint

bp = Blueprint("proposals", __name__)
