"""Accounts: the list per scope, creation and changes within scope, deactivation, lifting a
sign-in wait, one-time reset links, and everyone's own password (issue 15.2)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey_app.alamat import address
from survey_app.extensions import db, limiter
from survey_app.filters import waktu, zona
from survey_app.models import AuditLog, Pengguna, Unit
from survey_app.services import audit
from survey_app.services.administration import accounts, mail, reset_mail, signin
from survey_app.staf import bp
from survey_app.staf.forms import (
    ROLE_LABELS,
    AccountForm,
    ChangePasswordForm,
    ConfirmForm,
    ForgotForm,
    NewPasswordForm,
)
from survey_app.staf.scope import now, staff_zone


def _manager() -> None:
    if not accounts.grantable_roles(current_user):
        abort(403)


def _account(pengguna_id: int) -> Pengguna:
    """An account the user may change: 404 when unknown, 403 outside their scope."""
    _manager()
    user = db.session.get(Pengguna, pengguna_id)
    if user is None:
        abort(404)
    if not accounts.can_manage_account(db.session, current_user, user):
        abort(403)
    return user


def _form(**kwargs: Any) -> AccountForm:
    form = AccountForm(**kwargs)
    # the least a person needs comes first, so the default grants the least
    order = ["viewer", "petugas", "unit_admin", "admin"]
    grantable = sorted(accounts.grantable_roles(current_user), key=order.index)
    form.role.choices = [(r, str(ROLE_LABELS[r])) for r in grantable]
    units = accounts.scope_units(db.session, current_user)
    form.unit.choices = [("", "-")] + [(u.kode, f"{u.nama} ({u.kode})") for u in units]
    return form


def _unit(kode: str | None) -> Unit | None:
    if not kode:
        return None
    unit = db.session.scalar(select(Unit).where(Unit.kode == kode))
    if unit is None or unit not in accounts.scope_units(db.session, current_user):
        raise accounts.AccountError("unit itu di luar cakupan Anda")
    return unit


def _link(token: str) -> str:
    return address("staf.reset_password", token=token)


@bp.route("/pengguna", methods=["GET", "POST"])
@login_required
def accounts_list() -> ResponseReturnValue:
    """The accounts in scope with role, unit, last sign-in and status; a form to add one. A new
    account's link is shown once, after a redirect, so a refresh adds nothing."""
    _manager()
    form = _form()
    if form.validate_on_submit():
        try:
            user, token = accounts.add_account(
                db.session,
                current_user,
                form.username.data or "",
                form.role.data or "",
                _unit(form.unit.data),
                form.email.data,
                now(),
            )
            db.session.commit()
        except accounts.AccountError as exc:
            db.session.rollback()
            _error_on(form, exc)
        except IntegrityError:  # the same name sent twice at once: the second is refused
            db.session.rollback()
            name = accounts.normal_username(form.username.data or "")
            _error_on(
                form, accounts.AccountError(f"nama pengguna {name} sudah dipakai", "username")
            )
        else:
            flash(_("Akun %(nama)s dibuat.", nama=user.username), "ok")
            _hand_over(user, token, first=True)
            return redirect(url_for("staf.accounts_list"))
    shown = _handed_over()
    created = db.session.get(Pengguna, shown["pengguna_id"]) if shown else None
    return _accounts_page(form, created=created, **(shown or {})), 422 if form.errors else 200


def _error_on(form: AccountForm, exc: accounts.AccountError) -> None:
    """Put a service's message under the field it names (the first field otherwise)."""
    field = getattr(form, exc.field or "", None) or next(iter(form))
    if field.name == "csrf_token":
        field = next(f for f in form if f.name != "csrf_token")
    field.errors = [*field.errors, str(exc)]


def _hand_over(user: Pengguna, token: str, first: bool = False) -> None:
    """Keep a new link for the next page only, mailing it where mail is configured."""
    link = _link(token)
    session["_tautan"] = {
        "pengguna_id": user.id,
        "link": link,
        "sent": _mail_link(user, link, first),
    }


def _handed_over(pengguna_id: int | None = None) -> dict[str, Any] | None:
    """The link kept by :func:`_hand_over`, once (for ``pengguna_id`` when given)."""
    kept = session.get("_tautan")
    if not kept or (pengguna_id is not None and kept.get("pengguna_id") != pengguna_id):
        return None
    session.pop("_tautan", None)
    return dict(kept)


def _accounts_page(form: AccountForm, **extra: Any) -> str:
    users = accounts.accounts_in_scope(db.session, current_user)
    waits = {u.id: signin.waiting(db.session, u, now()) for u in users}
    return render_template(
        "staf/pengguna.html",
        users=users,
        waits=waits,
        form=form,
        roles=ROLE_LABELS,
        zone=staff_zone(),
        **extra,
    )


@bp.route("/pengguna/<int:pengguna_id>", methods=["GET", "POST"])
@login_required
def edit_account(pengguna_id: int) -> ResponseReturnValue:
    """One account: change its role, unit or e-mail; buttons for status, wait and reset link."""
    user = _account(pengguna_id)
    form = _form(
        data={
            "role": user.role,
            "unit": user.unit.kode if user.unit else "",
            "email": user.email or "",
        }
    )
    del form.username  # a username never changes
    if user.role not in dict(form.role.choices):  # an account above what the editor grants
        abort(403)
    if form.validate_on_submit():
        try:
            changed = accounts.change_account(
                db.session,
                current_user,
                user,
                form.role.data or "",
                _unit(form.unit.data),
                form.email.data,
                now(),
            )
            db.session.commit()
            flash(_("Perubahan disimpan.") if changed else _("Tidak ada yang berubah."), "ok")
            return redirect(url_for("staf.edit_account", pengguna_id=user.id))
        except accounts.AccountError as exc:
            db.session.rollback()
            _error_on(form, exc)
    shown = _handed_over(user.id) or {}
    return _account_page(user, form, **shown), 422 if form.errors else 200


def _account_page(user: Pengguna, form: AccountForm, **extra: Any) -> str:
    history = db.session.scalars(
        select(AuditLog)
        .where(AuditLog.entity == "pengguna", AuditLog.entity_id == str(user.id))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "staf/pengguna_ubah.html",
        user=user,
        form=form,
        roles=ROLE_LABELS,
        wait=signin.waiting(db.session, user, now()),
        history=history,
        zone=staff_zone(),
        **extra,
    )


@bp.post("/pengguna/<int:pengguna_id>/status")
@login_required
def account_status(pengguna_id: int) -> ResponseReturnValue:
    """Deactivate an active account or reactivate an inactive one."""
    user = _account(pengguna_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        accounts.set_active(db.session, current_user, user, not user.aktif, now())
        db.session.commit()
        flash(_("Akun diaktifkan.") if user.aktif else _("Akun dinonaktifkan."), "ok")
    except accounts.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("staf.edit_account", pengguna_id=user.id))


@bp.post("/pengguna/<int:pengguna_id>/tunggu")
@login_required
def account_clear_wait(pengguna_id: int) -> ResponseReturnValue:
    """Lift the sign-in wait of an account (after its owner has been reached)."""
    user = _account(pengguna_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if signin.clear(db.session, user):
        audit.record(
            db.session, current_user, "tunggu_dihapus", "pengguna", user.id, None, None, now()
        )
        flash(_("Penundaan masuk akun ini dihapus."), "ok")
    db.session.commit()
    return redirect(url_for("staf.edit_account", pengguna_id=user.id))


@bp.post("/pengguna/<int:pengguna_id>/reset")
@login_required
def account_reset_link(pengguna_id: int) -> ResponseReturnValue:
    """A one-time link (24 hours) for the owner to set a new password: shown here to hand
    over, and mailed to the account's address when mail is configured."""
    user = _account(pengguna_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        token = accounts.issue_reset(db.session, current_user, user, now())
    except accounts.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("staf.edit_account", pengguna_id=user.id))
    db.session.commit()
    _hand_over(user, token)
    return redirect(url_for("staf.edit_account", pengguna_id=user.id))


def _mail_link(user: Pengguna, link: str, first: bool = False) -> bool:
    """Mail a password link to the account's address; False when there is no mail, no address
    or no SURVEY_BASE_URL (the link is then handed over by the admin), or the server refused
    (said in the log). A mailed link is built from SURVEY_BASE_URL only: from the request's Host
    header, a forged host would have carried the token to someone else's site."""
    settings = mail.MailSettings.from_config(current_app.config)
    if settings is None or not user.email or not current_app.config["BASE_URL"]:
        return False
    zone = user.unit.timezone if user.unit else current_app.config["BABEL_DEFAULT_TIMEZONE"]
    until = f"{waktu(now() + accounts.RESET_VALID, zone)} {zona(zone)}"
    try:
        reset_mail.send_reset_link(settings, user, link, until, first)
    except mail.MailError as exc:
        current_app.logger.warning("%s", exc)
        return False
    return True


@bp.route("/sandi/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """The page a reset link opens: set a new password once, then sign in."""
    link = accounts.valid_reset(db.session, token, now())
    if link is None:
        return render_template("staf/sandi_baru.html", form=None), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.redeem_reset(db.session, token, form.password.data or "", now())
            signin.clear(db.session, user)
            db.session.commit()
            flash(_("Kata sandi baru disimpan. Silakan masuk."), "ok")
            return redirect(url_for("staf.login"))
        except accounts.AccountError as exc:
            db.session.rollback()
            form.password.errors = [*form.password.errors, str(exc)]
    status = 422 if form.errors else 200
    return render_template("staf/sandi_baru.html", form=form, user=link.pengguna), status


@bp.route("/lupa-sandi", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    """Ask for a reset link by mail. The answer is the same whether the account exists,
    has an address, or mail is configured at all, so it tells nobody which usernames exist."""
    form = ForgotForm()
    config = current_app.config
    mail_ready = mail.MailSettings.from_config(config) is not None and bool(config["BASE_URL"])
    if form.validate_on_submit():
        name = accounts.normal_username(form.username.data or "")
        user = db.session.scalar(select(Pengguna).where(Pengguna.username == name))
        if mail_ready and user is not None and user.aktif and user.email:
            token = accounts.issue_reset(db.session, None, user, now())
            db.session.commit()
            _mail_link(user, _link(token))
        flash(
            _(
                "Bila akun itu ada dan memiliki alamat surel, tautan untuk membuat kata sandi "
                "baru sudah dikirim ke sana (berlaku 24 jam). Bila tidak ada surel yang datang, "
                "minta admin unit Anda membuatkan tautannya."
            ),
            "ok",
        )
        return redirect(url_for("staf.login"))
    return render_template("staf/lupa_sandi.html", form=form, mail_ready=mail_ready)


@bp.route("/akun", methods=["GET", "POST"])
@login_required
def own_account() -> ResponseReturnValue:
    """Everyone's own account: change the password (every other session then ends)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                db.session,
                current_user,
                form.sekarang.data or "",
                form.password.data or "",
                now(),
            )
            db.session.commit()
            login_user(current_user)  # this session carries the new session version
            flash(_("Kata sandi diganti. Sesi di perangkat lain sudah berakhir."), "ok")
            return redirect(url_for("staf.own_account"))
        except accounts.AccountError as exc:
            db.session.rollback()
            _error_on(form, exc)
    status = 422 if form.errors else 200
    return render_template("staf/akun.html", form=form, roles=ROLE_LABELS), status
