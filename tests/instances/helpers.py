"""Shared by the instance tests: the same municipality folder with its plugins disabled."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app.auth import services as accounts
from app.database import db
from app.testing import TEST_PASSWORD, make_app


def without_plugins(folder: Path, tmp_path: Path, database_url: str) -> Flask:
    """An app on ``database_url`` for a copy of ``folder`` that enables no plugin (its
    ``[plugins.<name>]`` settings left out too, as an administrator would)."""
    copy = tmp_path / "municipalities" / folder.name
    shutil.copytree(folder, copy)
    toml = copy / "municipality.toml"
    text = re.sub(r"(?m)^enabled = \[.*\]$", "enabled = []", toml.read_text(encoding="utf-8"))
    text = re.sub(r"(?ms)^\[plugins\.[a-z_]+\]\n.*?(?=^\[|\Z)", "", text)
    toml.write_text(text, encoding="utf-8")
    return make_app(tmp_path / "instance-without", database_url,
                    KOERS_MUNICIPALITIES_DIR=str(copy.parent), KOERS_MUNICIPALITY=folder.name)


def signed_in_viewer(app: Flask) -> FlaskClient:
    """A client of ``app`` signed in as a new viewer (inside ``app``'s context)."""
    accounts.create_user("lezer@instance.example", "Lezer", "viewer", password=TEST_PASSWORD,
                         must_change_password=False)
    db.session.commit()
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = login.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"csrf_token": token, "email": "lezer@instance.example",
                                           "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client
