"""The accounts domain's blueprint; its routes live in ``accounts/views/`` by audience."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)
