"""Officer side of expert review: rounds, the random draw, assignments, the progress dashboard."""
from flask import Blueprint

bp = Blueprint("rounds", __name__)
