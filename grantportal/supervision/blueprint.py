"""The supervision domain's blueprint; its routes live in ``supervision/views/`` by audience."""
from flask import Blueprint

bp = Blueprint("supervision", __name__)
