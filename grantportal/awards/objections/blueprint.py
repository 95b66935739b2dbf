"""The objections sub-domain's blueprint; its routes live in ``awards/objections/views/`` by audience."""
from flask import Blueprint

bp = Blueprint("objections", __name__)
