"""The one consultations blueprint. Routes: views.py (a plan's consultations, meetings,
comment periods, tables, registrations, the kennisgeving), feed_views.py (calendar feeds),
inputs/views.py (input, answers, attachments, coverage), inputs/intake_views.py (the
reaction import), inputs/grouping_views.py (suggested groups), signin_views.py (a meeting's
sign-in list), feedback/views.py, meetings/views.py (a meeting's report) and
nota/views.py. Endpoint names do not depend on the
module a route lives in."""

from flask import Blueprint

bp = Blueprint("consultations", __name__, url_prefix="/consultations")
