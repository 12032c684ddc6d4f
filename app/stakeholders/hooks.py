"""What the register contributes through the hooks plugins use: its menu item and the core's
stakeholder categories."""

from __future__ import annotations

from typing import Any

from app.plugins.hookspecs import hookimpl
from app.plugins.types import NavItem
from app.stakeholders.services import Category
from app.translate import lazy_gettext as _l


@hookimpl
def navigation_items(user: Any) -> list[NavItem]:
    return [NavItem(_l("Stakeholders"), "stakeholders.index", "view", priority=30,
                    active_prefix="stakeholders.")]


@hookimpl
def stakeholder_categories() -> list[Any]:
    return [
        Category("inwoner", _l("Resident"), "inwoner"),
        Category("maatschappelijke_partner", _l("Community partner"), "partner"),
        Category("zorgaanbieder", _l("Care provider"), "partner"),
        Category("adviesraad", _l("Advisory council"), "adviesraad"),
        Category("raadslid", _l("Council member"), "bestuur"),
        Category("wethouder", _l("Alderman (wethouder)"), "bestuur"),
        Category("medewerker", _l("Municipal staff"), "medewerker"),
        Category("vrijwilliger", _l("Volunteer"), "inwoner"),
        Category("mantelzorger", _l("Informal carer"), "inwoner"),
        Category("vereniging", _l("Association"), "partner"),
    ]
