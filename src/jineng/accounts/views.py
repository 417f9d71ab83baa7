from __future__ import annotations

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jineng.accounts import selectors, services
from jineng.accounts.forms import LoginForm, OtpConfirmForm
from jineng.core.errors import DomainError


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


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
