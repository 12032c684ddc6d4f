"""The plans blueprint. Routes: views.py (list, plan, text, workflow, revisions, history),
programme_views.py (themes, goals, actions, progress, involvement)."""

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")
