"""The upload form of the reaction import."""

from __future__ import annotations

from flask_wtf.file import MultipleFileField

from app.forms import DomainForm
from app.translate import lazy_gettext as _l


class ReactionImportForm(DomainForm):
    files = MultipleFileField(
        _l("Files (e-mails, a zip of e-mails, or a spreadsheet)"),
        render_kw={"accept": ".eml,.msg,.zip,.csv,.xlsx,message/rfc822,application/zip,"
                   "text/csv,application/vnd.ms-outlook,"
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})


class ImportConfirmForm(DomainForm):
    """The confirm button: a refusal of the import shows above the report."""
