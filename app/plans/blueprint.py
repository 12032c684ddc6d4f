"""The plans blueprint. Routes: views.py (list, plan, text, workflow, revisions, history) and
the programme's (programme/views.py: the tab, themes, goals; programme/action_views.py:
actions, progress; programme/involvement_views.py)."""

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")
