"""The expert pool (officers) and the expert's own profile and conflict declarations."""
from flask import Blueprint

bp = Blueprint("experts", __name__)
