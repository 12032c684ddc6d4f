"""row_url: a route built once per table gives every row the URL url_for would."""

from __future__ import annotations

import pytest
from flask import url_for

from app.urls import row_url


def test_each_row_gets_the_url_url_for_builds(app):
    with app.test_request_context("/"):
        action_url = row_url("plans.show_action", "action_id", plan_id=7)
        for action_id in (1, 42, 9_182_736, 10**12):
            assert action_url(action_id) == url_for("plans.show_action", plan_id=7,
                                                    action_id=action_id)
        stakeholder_url = row_url("stakeholders.show", "stakeholder_id")
        assert stakeholder_url(3) == url_for("stakeholders.show", stakeholder_id=3)


def test_a_row_id_is_a_number_never_text_spliced_into_the_url(app):
    with app.test_request_context("/"):
        action_url = row_url("plans.show_action", "action_id", plan_id=7)
        with pytest.raises(ValueError):
            action_url("1/../../admin")


def test_a_key_outside_the_path_goes_into_the_query_string_as_with_url_for(app):
    with app.test_request_context("/"):
        assert row_url("plans.index", "page", q="wmo")(3) == url_for("plans.index", q="wmo",
                                                                      page=3)
