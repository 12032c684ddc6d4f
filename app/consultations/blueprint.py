"""The one consultations blueprint. Routes: views.py (a plan's consultations, meetings,
comment periods, tables, registrations, the kennisgeving), feed_views.py (calendar feeds),
inputs/views.py (input, answers, attachments, coverage), feedback/views.py and
nota/views.py. Endpoint names do not depend on the module a route lives in."""

from flask import Blueprint

bp = Blueprint("consultations", __name__, url_prefix="/consultations")
