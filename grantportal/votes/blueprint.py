"""The votes domain's blueprint; its routes live in ``votes/views/`` by audience."""
from flask import Blueprint

bp = Blueprint("votes", __name__)
