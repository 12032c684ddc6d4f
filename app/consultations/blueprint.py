"""The consultations blueprint. Routes: views.py (a plan's consultations, meetings, comment
periods, tables, registrations), input_views.py (input, bulk entry, answers, processing)."""

from flask import Blueprint

bp = Blueprint("consultations", __name__, url_prefix="/consultations")
