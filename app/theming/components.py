"""The NL Design System component classes, named once.

Templates never spell a component's class: they ask for it by Koers's name through the
``ui`` template global (``class="{{ ui('button', 'secondary') }}"``) or get it from a macro
(app/templates/macros/). Plain elements — headings, paragraphs, links, lists, tables, form
controls — are styled by Utrecht's HTML stylesheet under ``<html class="utrecht-html">``, so
only variants and page parts need a class. Moving to another component or a newer release
changes this table, not the templates.
"""

from __future__ import annotations

from typing import Any

from wtforms import widgets

# Koers's name (and variant) → the component classes. "" is the component without a variant.
COMPONENTS: dict[str, dict[str, str]] = {
    "alert": {
        "": "utrecht-alert utrecht-alert--info",
        "info": "utrecht-alert utrecht-alert--info",
        "ok": "utrecht-alert utrecht-alert--ok",
        "warning": "utrecht-alert utrecht-alert--warning",
        "error": "utrecht-alert utrecht-alert--error",
        # Flash message categories (flask.flash) that are not variant names.
        "success": "utrecht-alert utrecht-alert--ok",
        "message": "utrecht-alert utrecht-alert--info",
    },
    # An alert's content and message: a heading, paragraphs, a list or a form stack inside it
    # (the alert itself lays out its children side by side, for an icon).
    "alert-content": {"": "utrecht-alert__content"},
    "alert-message": {"": "utrecht-alert__message"},
    "badge": {"": "nl-data-badge"},
    "button": {
        "": "utrecht-button utrecht-button--primary-action",
        "primary": "utrecht-button utrecht-button--primary-action",
        "secondary": "utrecht-button utrecht-button--secondary-action",
        "subtle": "utrecht-button utrecht-button--subtle",
        "danger": "utrecht-button utrecht-button--primary-action utrecht-button--danger",
        # A quiet button that reads as a link (sign out, the language switch).
        "link": "utrecht-button utrecht-button--subtle",
    },
    # A link that looks like a button: it goes somewhere instead of changing something.
    "button-link": {
        "": "utrecht-button-link utrecht-button-link--html-a utrecht-button-link--primary-action",
        "primary": "utrecht-button-link utrecht-button-link--html-a "
                   "utrecht-button-link--primary-action",
        "secondary": "utrecht-button-link utrecht-button-link--html-a "
                     "utrecht-button-link--secondary-action",
        "subtle": "utrecht-button-link utrecht-button-link--html-a utrecht-button-link--subtle",
        "danger": "utrecht-button-link utrecht-button-link--html-a "
                  "utrecht-button-link--secondary-action",
    },
    "button-group": {"": "utrecht-button-group"},
    "data-list": {"": "utrecht-data-list"},
    "form-field": {
        "": "utrecht-form-field",
        "invalid": "utrecht-form-field utrecht-form-field--invalid",
        "checkbox": "utrecht-form-field utrecht-form-field--checkbox",
        "radio": "utrecht-form-field utrecht-form-field--radio",
    },
    "form-fieldset": {"": "utrecht-form-fieldset"},
    "form-label": {"": "utrecht-form-label"},
    "form-field-description": {"": "utrecht-form-field-description"},
    "form-field-error-message": {"": "utrecht-form-field-error-message"},
    "textbox": {"": "utrecht-textbox utrecht-textbox--html-input",
                "invalid": "utrecht-textbox utrecht-textbox--html-input utrecht-textbox--invalid"},
    "textarea": {"": "utrecht-textarea utrecht-textarea--html-textarea",
                 "invalid": "utrecht-textarea utrecht-textarea--html-textarea "
                            "utrecht-textarea--invalid"},
    "select": {"": "utrecht-select utrecht-select--html-select",
               "invalid": "utrecht-select utrecht-select--html-select utrecht-select--invalid"},
    "checkbox": {"": "utrecht-checkbox utrecht-checkbox--html-input"},
    "radio": {"": "utrecht-radio-button utrecht-radio-button--html-input"},
    "mark": {"": "nl-mark"},
    "nav-bar": {"": "utrecht-nav-bar", "content": "utrecht-nav-bar__content"},
    "nav-list": {"": "utrecht-nav-list"},
    "nav-link": {"": "utrecht-nav-list__link"},
    "nav-item": {"": "utrecht-nav-list__item"},
    "page-body": {"": "utrecht-page-body", "content": "utrecht-page-body__content"},
    "page-content": {"": "utrecht-page-content", "main": "utrecht-page-content__main"},
    "page-footer": {"": "utrecht-page-footer", "content": "utrecht-page-footer__content"},
    "page-header": {"": "utrecht-page-header", "content": "utrecht-page-header__content"},
    "page-layout": {"": "utrecht-page-layout"},
    "pagination": {
        "": "utrecht-pagination utrecht-pagination--distanced",
        "page": "utrecht-pagination__page-link",
        "current": "utrecht-pagination__page-link utrecht-pagination__page-link--current",
        "prev": "utrecht-pagination__relative-link utrecht-pagination__relative-link--prev",
        "next": "utrecht-pagination__relative-link utrecht-pagination__relative-link--next",
    },
    "paragraph": {"": "utrecht-paragraph", "lead": "utrecht-paragraph utrecht-paragraph--lead"},
    "skip-link": {"": "nl-skip-link nl-skip-link--visible-on-focus"},
    "status": {"": "utrecht-status-badge"},
    "table": {"": "utrecht-table"},
}


def ui(component: str, variant: str = "") -> str:
    """The classes of ``component`` in ``variant``; an unknown name fails the page loudly."""
    try:
        return COMPONENTS[component][variant]
    except KeyError:
        raise KeyError(f"no component {component!r} with variant {variant!r} in "
                       "app/theming/components.py") from None


def input_component(field: Any) -> str:
    """The component of a WTForms field's control, by the widget it renders with."""
    widget = field.widget
    if isinstance(widget, widgets.Select):
        return "select"
    if isinstance(widget, widgets.TextArea):
        return "textarea"
    if isinstance(widget, widgets.CheckboxInput):
        return "checkbox"
    if isinstance(widget, widgets.RadioInput):
        return "radio"
    return "textbox"
