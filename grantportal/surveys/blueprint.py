"""The surveys domain's blueprint; its routes live in ``surveys/views/`` by audience."""
from flask import Blueprint

bp = Blueprint("surveys", __name__)
