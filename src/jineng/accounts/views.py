"""Account pages: login (with the temporary-password step), one's own account, password and
API tokens, and account administration for province and city staff. Thin: reads through the
selectors, writes through the services; which forms appear is decided by the same rules the
services enforce (accounts.rules.permissions)."""

from __future__ import annotations

import time
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.models import Device

from jineng.accounts import selectors, services
from jineng.accounts.forms import (
    AccountCreateForm,
    AccountFilterForm,
    LoginForm,
    OtpConfirmForm,
    ReasonForm,
    TokenCreateForm,
)
from jineng.accounts.models import REGION_ROLES, Role, User
from jineng.accounts.rules import permissions
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.registry import selectors as registry_selectors

PAGE_SIZE = 50
# The temporary-password step must follow the login closely.
PENDING_KEY = "accounts_pending_password"
PENDING_SECONDS = 10 * 60
# Service fields → form fields, where they differ.
FIELD_ALIASES = {"organization_id": "organization_code"}


def _form_error(form, error: DomainError) -> None:
    """A refusal of the service, shown where it belongs: 404 and 403 as pages (out of scope
    is missing), anything else next to its field."""
    if isinstance(error, NotFound):
        raise Http404
    if isinstance(error, Forbidden):
        raise PermissionDenied
    field = FIELD_ALIASES.get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


def _once(response: HttpResponse) -> HttpResponse:
    """A page holding a secret shown once: no cache, no back-button copy."""
    add_never_cache_headers(response)
    return response


# --- login -----------------------------------------------------------------------------------

class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not user.must_change_password:
            return super().form_valid(form)
        # A temporary password opens one page only: the one that replaces it. The user is
        # logged in when the new password is set.
        device = getattr(user, "otp_device", None)
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk, "backend": user.backend, "since": time.time(),
            "device": device.persistent_id if device else "",
            "next": self.get_redirect_url(),
        }
        return redirect("accounts:password_new")


@never_cache
def password_new(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    user = None
    if pending and time.time() - pending.get("since", 0) <= PENDING_SECONDS:
        user = selectors.user_awaiting_new_password(pending.get("user"))
    if user is None:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, _("Log in with your temporary password first."))
        return redirect("accounts:login")
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_set_after_reset(
                actor=user, new_password=form.cleaned_data["new_password1"])
        except DomainError as refused:
            _form_error(form, refused)
        else:
            del request.session[PENDING_KEY]
            if pending.get("device"):
                user.otp_device = Device.from_persistent_id(pending["device"])
            login(request, user, backend=pending["backend"])
            messages.success(request, _("Your new password is set."))
            target = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = settings.LOGIN_REDIRECT_URL
            return redirect(target or settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/password_new.html", {"form": form, "pending_user": user})


# --- one's own account -----------------------------------------------------------------------

@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html", {
        "otp_enabled": selectors.otp_enabled(actor=request.user),
        "may_administer": permissions.may_administer_accounts(request.user.facts),
        "may_issue_token": permissions.may_issue_token(request.user.facts),
    })


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(actor=request.user,
                                     old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password1"])
        except DomainError as refused:
            _form_error(form, refused)
        else:
            update_session_auth_hash(request, request.user)  # stay logged in
            messages.success(request, _("Your password is changed."))
            return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def otp_setup(request):
    enabled = selectors.otp_enabled(actor=request.user)
    form = OtpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.otp_confirm(actor=request.user, token=form.cleaned_data["token"])
        except DomainError as bad:
            form.add_error("token", bad.message)
        else:
            messages.success(request, _("Two-step login is on. You will need a code at login."))
            return redirect("accounts:otp_setup")
    device = services.otp_device_pending(actor=request.user)
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "accounts/otp_setup.html",
                  {"enabled": enabled, "form": form, "qr": mark_safe(qr),
                   "secret": b32encode(device.bin_key).decode()})


@login_required
@require_POST
def otp_disable(request):
    services.otp_disable(actor=request.user)
    messages.success(request, _("Two-step login is off."))
    return redirect("accounts:otp_setup")


# --- API tokens ------------------------------------------------------------------------------

@login_required
@never_cache
def tokens(request: HttpRequest) -> HttpResponse:
    if not permissions.may_issue_token(request.user.facts):
        raise PermissionDenied
    form = TokenCreateForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _row, secret = services.api_token_create(actor=request.user,
                                                     name=form.cleaned_data["name"])
        except DomainError as refused:
            _form_error(form, refused)
        else:
            form = TokenCreateForm()
    response = render(request, "accounts/tokens.html", {
        "form": form, "secret": secret,
        "tokens": selectors.api_token_list(actor=request.user),
    }, status=400 if form.errors else 200)
    return _once(response)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    owner_id = request.POST.get("user")
    reason = request.POST.get("reason", "")  # required (by the service) for others' tokens
    try:
        row = services.api_token_revoke(actor=request.user, token_id=token_id, reason=reason)
    except NotFound:
        raise Http404 from None
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": row.name})
    if owner_id and owner_id.isdigit() and int(owner_id) != request.user.pk:
        return redirect("accounts:user_detail", int(owner_id))
    return redirect("accounts:tokens")


# --- account administration ------------------------------------------------------------------

def _administrator(request: HttpRequest) -> permissions.Account:
    facts = request.user.facts
    if not permissions.may_administer_accounts(facts):
        raise PermissionDenied
    return facts


def _role_choices(facts: permissions.Account) -> list[tuple[str, str]]:
    allowed = permissions.creatable_roles(facts)
    return [(value, label) for value, label in Role.choices if value in allowed]


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    facts = _administrator(request)
    form = AccountFilterForm(request.GET or None, roles=_role_choices(facts))
    if form.is_bound and not form.is_valid():
        # A filter that cannot be applied says so; it is never quietly dropped.
        return render(request, "accounts/user_list.html", {"form": form, "page": []},
                      status=400)
    filters = form.cleaned_data if form.is_bound else {}
    active = {"1": True, "0": False}.get(filters.get("active") or "")
    users = selectors.account_list(actor=request.user, q=filters.get("q", ""),
                                   role=filters.get("role", ""), active=active)
    return render(request, "accounts/user_list.html", {
        "form": form, "page": Paginator(users, PAGE_SIZE).get_page(request.GET.get("page")),
    })


def _organization_id(actor: User, code: str) -> int | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    org = registry_selectors.organization_list(actor=actor).filter(credit_code=code).first()
    return org.pk if org else 0  # 0: no such organization in scope (the service says so)


@login_required
@never_cache
def user_create(request: HttpRequest) -> HttpResponse:
    facts = _administrator(request)
    form = AccountCreateForm(request.POST or None, roles=_role_choices(facts),
                             regions=selectors.region_choices(actor=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.user_create(
                actor=request.user, username=data["username"], role=data["role"],
                region_code=data["region_code"] if data["role"] in REGION_ROLES else "",
                organization_id=_organization_id(request.user, data["organization_code"]),
                first_name=data["first_name"], last_name=data["last_name"],
                email=data["email"], sector=data["sector"], reason=data["reason"])
        except DomainError as refused:
            _form_error(form, refused)
        else:
            return _once(render(request, "accounts/temporary_password.html",
                                {"account": user, "password": password, "created": True}))
    return render(request, "accounts/user_form.html", {"form": form},
                  status=400 if form.errors else 200)


def _detail(request: HttpRequest, target: User, form: ReasonForm | None = None,
            status: int = 200) -> HttpResponse:
    facts, target_facts = request.user.facts, target.facts
    return render(request, "accounts/user_detail.html", {
        "account": target, "form": form or ReasonForm(),
        "tokens": selectors.api_token_list(actor=request.user, user=target),
        "may_disable": permissions.may_disable(facts, target_facts),
        "may_enable": permissions.may_enable(facts, target_facts),
        "may_reset": permissions.may_reset_password(facts, target_facts),
        "may_reset_otp": (permissions.may_manage(facts, target_facts)
                          and selectors.otp_enabled(actor=target)),
        "may_revoke": permissions.may_revoke_tokens_of(facts, target_facts),
    }, status=status)


@login_required
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    _administrator(request)
    try:
        target = selectors.account_get(actor=request.user, pk=user_id)
    except NotFound:
        raise Http404 from None
    return _detail(request, target)


def _action(request: HttpRequest, user_id: int, service, done: str) -> HttpResponse:
    _administrator(request)
    try:
        target = selectors.account_get(actor=request.user, pk=user_id)
    except NotFound:
        raise Http404 from None
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            result = service(actor=request.user, user_id=target.pk,
                             reason=form.cleaned_data["reason"])
        except DomainError as refused:
            _form_error(form, refused)
        else:
            if isinstance(result, tuple):  # a new temporary password, shown once
                account, password = result
                return _once(render(request, "accounts/temporary_password.html",
                                    {"account": account, "password": password}))
            messages.success(request, done % {"name": target.username})
            return redirect("accounts:user_detail", target.pk)
    return _detail(request, target, form, status=400)


@login_required
@require_POST
def user_disable(request: HttpRequest, user_id: int) -> HttpResponse:
    return _action(request, user_id, services.user_disable, _("%(name)s is disabled."))


@login_required
@require_POST
def user_enable(request: HttpRequest, user_id: int) -> HttpResponse:
    return _action(request, user_id, services.user_enable, _("%(name)s is enabled."))


@login_required
@require_POST
def user_otp_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    return _action(request, user_id, services.user_otp_reset,
                   _("Two-step login of %(name)s is turned off."))


@login_required
@require_POST
@never_cache
def user_password_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    return _action(request, user_id, services.user_password_reset, "")
