"""Roles, permissions and the decorators every route uses to declare who may call it.

The permission table (also in docs/permissions.md):

============== ======= ====== =====
permission     viewer  editor admin
============== ======= ====== =====
view             x       x      x
edit                     x      x
view_audit                      x
manage_users                    x
manage_instance                 x
============== ======= ====== =====

Routes declare exactly one of: :func:`public`, :func:`login_required` (any signed-in staff
member, e.g. the own profile) or :func:`require` with a permission. A route that declares
nothing is refused (fail closed) and a test lists it. :func:`has_permission` takes an optional
resource so a later feature can grant rights per plan or theme (an external topic owner who may
edit only the themes they carry) without changing any route.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])
PERMISSION_ATTRIBUTE = "_koers_permission"
PUBLIC = "public"
AUTHENTICATED = "authenticated"


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


class Permission(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"
    MANAGE_INSTANCE = "manage_instance"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.EDITOR: frozenset({Permission.VIEW, Permission.EDIT}),
    Role.ADMIN: frozenset(Permission),
}

# Resource-specific grants: callables (user, permission, resource) -> True | False | None.
# None means "no opinion"; any False denies. Later features register per-plan access here.
ResourcePolicy = Callable[[Any, Permission, Any], bool | None]
resource_policies: list[ResourcePolicy] = []


def has_permission(user: Any, permission: Permission, resource: Any = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    allowed = permission in ROLE_PERMISSIONS.get(Role(user.role), frozenset())
    if resource is not None:
        for policy in resource_policies:
            verdict = policy(user, permission, resource)
            if verdict is False:
                return False
            if verdict is True:
                allowed = True
    return allowed


def _declare(view: F, value: str) -> F:
    setattr(view, PERMISSION_ATTRIBUTE, value)
    return view


def public(view: F) -> F:
    """Anyone may call this route, signed in or not (login page, health check)."""
    return _declare(view, PUBLIC)


def login_required(view: F) -> F:
    """Any active, signed-in staff member may call this route."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            from app.extensions import login_manager

            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return _declare(wrapper, AUTHENTICATED)  # type: ignore[return-value]


def require(permission: Permission) -> Callable[[F], F]:
    """The signed-in user's role must grant ``permission``; otherwise 403 (or login)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return _declare(wrapper, permission.value)  # type: ignore[return-value]

    return decorator


def declared_permission(view: Callable[..., Any]) -> str | None:
    return getattr(view, PERMISSION_ATTRIBUTE, None)


def is_static_endpoint(endpoint: str, view: Callable[..., Any] | None) -> bool:
    """The app's and blueprints' static-file views: public assets, no declaration needed."""
    return endpoint == "static" or (endpoint.endswith(".static")
                                    and getattr(view, "__name__", "") == "send_static_file")
