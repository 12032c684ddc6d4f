"""The page macros of macros/ui.html: a table, a panel, an alert and a POST button with its CSRF
token."""

from __future__ import annotations

import re

from flask import render_template_string

from app.forms import ConfirmForm
from app.theming.components import ui

MACROS = '{% from "macros/ui.html" import alert, panel, post_button, table %}'


def render(app, source: str, **context) -> str:
    with app.test_request_context("/"):
        return render_template_string(MACROS + source, **context)


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_a_table_has_its_caption_column_headers_and_rows(app):
    html = squeeze(render(app, '{% call table("Accounts", ["Name", {"text": "Rows", '
                               '"class": "number"}, {"text": "Actions", "hidden": true}], '
                               'hidden_caption=true, wrapper=true) %}<tr><td>Anna</td></tr>'
                               '{% endcall %}'))
    assert html == (
        f'<div class="table-wrapper"><table class="{ui("table")}">'
        '<caption class="visually-hidden">Accounts</caption>'
        '<thead><tr><th scope="col">Name</th><th scope="col" class="number">Rows</th>'
        '<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>'
        '<tbody><tr><td>Anna</td></tr></tbody></table></div>')


def test_a_panel_is_a_section_named_by_its_heading(app):
    html = squeeze(render(app, '{% call panel("Sessions", "sessions-title") %}<p>x</p>'
                               '{% endcall %}{% call panel("Plain", "p", plain=true) %}'
                               '{% endcall %}'))
    assert html == ('<section class="panel" aria-labelledby="sessions-title">'
                    '<h2 id="sessions-title">Sessions</h2><p>x</p></section>'
                    '<section aria-labelledby="p"><h2 id="p">Plain</h2></section>')


def test_a_post_button_carries_the_csrf_token_and_its_values(app):
    html = render(app, '{{ post_button("/archive", "Archive", style="danger", '
                       'hidden={"archived": "1"}, inline=true) }}')
    assert re.search(r'<form method="post" action="/archive" class="inline-form">\s*'
                     r'<input type="hidden" name="csrf_token" value="[^"]+">\s*'
                     r'<input type="hidden" name="archived" value="1">\s*'
                     rf'<button type="submit" class="{ui("button", "danger")}">Archive</button>',
                     html)
    with app.test_request_context("/"):
        html = render_template_string(MACROS + '{{ post_button("/go", "Go", style="primary", '
                                      'form=confirm) }}', confirm=ConfirmForm())
    assert 'id="csrf_token" name="csrf_token" type="hidden"' in html
    assert f'<button type="submit" class="{ui("button", "primary")}">Go</button>' in html


def test_an_alert_stacks_its_content_inside_the_components_message(app):
    # The alert lays out its children side by side (room for an icon): a heading and a list
    # written straight into it would stand next to each other.
    html = squeeze(render(app, '{% call alert("error", role="alert", class="error-summary", '
                               'attributes={"tabindex": "-1", "aria-labelledby": "t"}) %}'
                               '<h2 id="t">Fix</h2><ul><li>Title</li></ul>{% endcall %}'
                               '{% call alert("ok") %}<p>Done</p>{% endcall %}'))
    assert html == (
        f'<div class="{ui("alert", "error")} error-summary" role="alert" tabindex="-1" '
        f'aria-labelledby="t"><div class="{ui("alert-content")}">'
        f'<div class="{ui("alert-message")}"><h2 id="t">Fix</h2><ul><li>Title</li></ul>'
        f'</div></div></div>'
        f'<div class="{ui("alert", "ok")}"><div class="{ui("alert-content")}">'
        f'<div class="{ui("alert-message")}"><p>Done</p></div></div></div>')
