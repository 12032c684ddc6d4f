"""The form of the stakeholder import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from app.translate import lazy_gettext as _l


class ImportForm(FlaskForm):
    file = FileField(_l("File (CSV or Excel)"), validators=[
        FileRequired(_l("Choose a CSV or Excel file."))],
        render_kw={"accept": ".csv,.xlsx,text/csv,"
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
