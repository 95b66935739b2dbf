"""The catalogue domain's blueprint; its routes live in ``catalogue/views/`` by audience."""
from flask import Blueprint

bp = Blueprint("catalogue", __name__)
