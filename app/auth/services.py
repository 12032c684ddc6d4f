"""Staff account rules: creation, sign-in, passwords, roles and deactivation — all audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from app.audit.services import audit, recorded_changes
from app.auth.models import User, new_session_token
from app.auth.passwords import (
    MIN_LENGTH,
    generate_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from app.database import db, utcnow
from app.errors import DomainError, EditConflict
from app.permissions import Role
from app.translate import lazy_gettext as _l

SUPPORTED_LANGUAGES = ("nl", "en")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def check_password_rules(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise DomainError(str(_l("Use at least %(count)d characters.", count=MIN_LENGTH)),
                          field="password")


@dataclass
class CreatedUser:
    user: User
    password: str | None  # the generated one-time password, shown once


def create_user(email: str, name: str, role: Role | str, *, password: str | None = None,
                actor: User | None = None, must_change_password: bool | None = None,
                locale: str | None = None) -> CreatedUser:
    """Create a staff account. Without a password one is generated and returned once, and
    must be changed at first sign-in."""
    email = normalise_email(email)
    if not email or "@" not in email:
        raise DomainError(str(_l("Enter a valid e-mail address.")), field="email")
    if not name.strip():
        raise DomainError(str(_l("Enter a name.")), field="name")
    role = Role(role)
    if get_by_email(email) is not None:
        raise DomainError(str(_l("An account with this e-mail address already exists.")),
                          field="email")
    generated = None
    if password is None:
        generated = password = generate_password()
    else:
        check_password_rules(password)
    user = User(
        email=email,
        name=name.strip(),
        role=role.value,
        locale=locale,
        active=True,
        password_hash=hash_password(password),
        must_change_password=(generated is not None) if must_change_password is None
        else must_change_password,
        session_token=new_session_token(),
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit("create", user, actor=actor, changes={
        "email": {}, "name": {}, "role": {"old": None, "new": role.value},
        "active": {"old": None, "new": True}})
    return CreatedUser(user, generated)


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None — the same for every kind of failure."""
    user = get_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit("login", user, actor=user)
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password; every other session of the user ends."""
    if not verify_password(user.password_hash, current):
        raise DomainError(str(_l("The current password is not correct.")), field="current")
    if current == new:
        raise DomainError(str(_l("Choose a password that differs from the current one.")),
                          field="password")
    check_password_rules(new)
    _set_password(user, new, must_change=False)
    audit("change_password", user, actor=user, changes={"password": {}})


def _set_password(user: User, password: str, *, must_change: bool) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change
    user.session_token = new_session_token()


def end_sessions(user: User, *, everywhere: bool) -> None:
    """Rotate the session token: every cookie that carries the old one stops working. Signing
    out does it too — the login cookie holds the token, and a copied cookie must end with the
    session it was copied from (the price: other sessions of the user end as well)."""
    user.session_token = new_session_token()
    if everywhere:
        audit("sign_out_everywhere", user, actor=user)


def reset_password(user: User, *, actor: User | None) -> str:
    """A new one-time password for ``user``, to be changed at their next sign-in."""
    password = generate_password()
    _set_password(user, password, must_change=True)
    _administered(user, None)
    audit("reset_password", user, actor=actor, changes={"password": {}})
    return password


def _ensure_an_admin_remains(user: User, *, new_role: Role | None = None,
                             deactivating: bool = False) -> None:
    if user.role != Role.ADMIN or not user.active:
        return
    if new_role == Role.ADMIN and not deactivating:
        return
    admins = db.session.scalar(select(func.count(User.id)).where(
        User.role == Role.ADMIN.value, User.active.is_(True)))
    if admins <= 1:
        raise DomainError(str(_l("This is the last active administrator; make someone else "
                                 "administrator first.")), field="role")


def _administered(user: User, expected_version: int | None) -> None:
    """An administrator changes the account: refuse a stale form (:class:`EditConflict`),
    count the change. The UPDATE … WHERE version claims it, so two saves at once cannot both
    pass."""
    if expected_version is None:
        user.version = (user.version or 0) + 1
        return
    claimed = db.session.execute(update(User).where(
        User.id == user.id, User.version == expected_version).values(
        version=expected_version + 1).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise EditConflict(user, message=_l("Someone else changed this account while you were "
                                            "editing it. Nothing has been overwritten."))
    db.session.expire(user, ["version"])


def update_user(user: User, *, actor: User | None, name: str | None = None,
                email: str | None = None, role: Role | str | None = None,
                locale: str | None = None, clear_locale: bool = False,
                expected_version: int | None = None) -> None:
    if expected_version is not None:
        _administered(user, expected_version)
    with recorded_changes(user, User.personal_fields,
                          {"password_hash", "session_token", "version"}) as changes:
        if role is not None:
            _ensure_an_admin_remains(user, new_role=Role(role))
            user.role = Role(role).value
        if name is not None:
            if not name.strip():
                raise DomainError(str(_l("Enter a name.")), field="name")
            user.name = name.strip()
        if email is not None:
            email = normalise_email(email)
            other = get_by_email(email)
            if other is not None and other.id != user.id:
                raise DomainError(str(_l("An account with this e-mail address already exists.")),
                                  field="email")
            user.email = email
        if locale is not None or clear_locale:
            if locale is not None and locale not in SUPPORTED_LANGUAGES:
                raise DomainError(str(_l("Choose a supported language.")), field="locale")
            user.locale = locale
    if changes:
        audit("update", user, actor=actor, changes=changes)


def set_active(user: User, active: bool, *, actor: User | None) -> None:
    if user.active == active:
        return
    if not active:
        _ensure_an_admin_remains(user, deactivating=True)
        if actor is not None and actor.id == user.id:
            raise DomainError(str(_l("You cannot deactivate your own account.")))
        user.session_token = new_session_token()
    user.active = active
    _administered(user, None)
    audit("deactivate" if not active else "reactivate", user, actor=actor,
          changes={"active": {"old": not active, "new": active}})


def list_users(search: str | None = None, include_inactive: bool = True):
    query = select(User).order_by(User.active.desc(), User.name, User.id)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(func.lower(User.name).like(pattern) | User.email.like(pattern))
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return query


def load_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)
