"""The stakeholders blueprint; its routes live in views.py (register, duplicates, privacy)
and transfer_views.py (import and export)."""

from flask import Blueprint

bp = Blueprint("stakeholders", __name__, url_prefix="/stakeholders")
