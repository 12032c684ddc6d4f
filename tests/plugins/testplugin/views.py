from flask import request

from app.plugin_api import (
    Permission,
    PluginBlueprint,
    audit,
    db,
    plugin_settings,
    render_template,
    require,
)

from .models import Note

blueprint = PluginBlueprint("testplugin", __name__)


@blueprint.route("/")
@require(Permission.VIEW)
def index():
    settings = plugin_settings("testplugin")
    notes = db.session.query(Note).order_by(Note.id).limit(settings["max_notes"]).all()
    return render_template("testplugin/index.html", notes=notes, greeting=settings["greeting"])


@blueprint.route("/notes", methods=["POST"])
@require(Permission.EDIT)
def add_note():
    note = Note(text=request.form.get("text", "")[:200] or "?")
    db.session.add(note)
    db.session.flush()
    audit("create", note)
    db.session.commit()
    return index()
