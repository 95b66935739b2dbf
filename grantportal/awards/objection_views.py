"""Officers: the objections of a call, investigation and outcome."""
from flask import Blueprint

bp = Blueprint("objections", __name__)
