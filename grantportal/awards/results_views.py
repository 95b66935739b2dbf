"""The public results page (公示 and final results, with their history) and filing objections."""
from flask import Blueprint

bp = Blueprint("results", __name__)
