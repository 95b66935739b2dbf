"""Expert side of review (worklist, scoring) and the results: aggregation, ranking, exports."""
from flask import Blueprint

bp = Blueprint("scoring", __name__)
