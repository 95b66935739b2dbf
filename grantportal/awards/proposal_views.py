"""Officers: result settings, the award proposal (生成、调整), 公示 publication and final confirmation."""
from flask import Blueprint

bp = Blueprint("proposals", __name__)
