"""The pledges domain's blueprint; its routes live in ``pledges/views/`` by audience."""
from flask import Blueprint

bp = Blueprint("pledges", __name__)
