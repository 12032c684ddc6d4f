"""The form of the nota's theme summaries: a textarea per theme of the plan, and the versions
of the summaries as the form showed them (one hidden field, ``theme_id:version …``)."""

from __future__ import annotations

from typing import Any

from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from app.consultations.nota.summaries import MAX_LENGTH, field_name
from app.forms import DomainForm, strip_text
from app.plans.models import Theme
from app.translate import lazy_gettext as _l


class SummariesForm(DomainForm):
    """Built per consultation by :func:`summaries_form`; ``theme_ids`` lists its textareas."""

    versions = HiddenField()
    theme_ids: tuple[int, ...] = ()

    def texts(self) -> dict[int, str]:
        """The submitted summaries by theme id."""
        return {theme_id: self[field_name(theme_id)].data or "" for theme_id in self.theme_ids}

    def theme_fields(self) -> list[Any]:
        return [self[field_name(theme_id)] for theme_id in self.theme_ids]


def summaries_form(themes: list[Theme], **kwargs: Any) -> SummariesForm:
    """A form with one textarea per theme, labelled with the theme's name."""

    class Form(SummariesForm):
        pass

    for theme in themes:
        setattr(Form, field_name(theme.id), TextAreaField(
            theme.name, filters=[strip_text], render_kw={"rows": 6},
            validators=[Length(max=MAX_LENGTH, message=_l(
                "A summary can be at most %(max)d characters long."))]))
    Form.theme_ids = tuple(theme.id for theme in themes)
    return Form(**kwargs)
