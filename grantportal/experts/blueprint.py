"""The experts domain's blueprint; its routes live in ``experts/views/`` by audience."""
from flask import Blueprint

bp = Blueprint("experts", __name__)
