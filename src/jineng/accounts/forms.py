from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from jineng.core.widgets import LongSelect


class LoginForm(AuthenticationForm):
    """User name, password and — for users who turned on two-step login — a one-time password.

    django-otp's OTPAuthenticationForm has no OTP-optional mode (it asks every user for a token
    and a device choice), so the second factor is checked here: only when the user has a
    confirmed TOTP device. A wrong code counts as a failed login (django-axes locks the account
    after AXES_FAILURE_LIMIT of them, and the audit trail records each one)."""

    otp_token = forms.CharField(label=_("One-time password (if enabled)"), required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                              "inputmode": "numeric"}))

    error_messages = {
        **AuthenticationForm.error_messages,
        "otp_required": _("Two-step login is on for this account: enter the code shown by "
                          "your authenticator app."),
        "otp_invalid": _("The one-time password is wrong or has expired."),
        "otp_throttled": _("Too many wrong codes; wait a moment and try again."),
    }

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None:
            return cleaned
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            return cleaned
        token = (cleaned.get("otp_token") or "").strip()
        if not token:
            raise forms.ValidationError(self.error_messages["otp_required"],
                                        code="otp_required")
        allowed, _extra = device.verify_is_allowed()
        if not allowed:
            self._failed(user)
            raise forms.ValidationError(self.error_messages["otp_throttled"],
                                        code="otp_throttled")
        if not device.verify_token(token):
            self._failed(user)
            raise forms.ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
        # django_otp marks the session as verified at login when the user carries the device.
        user.otp_device = device
        return cleaned

    def _failed(self, user) -> None:
        self.user_cache = None
        user_login_failed.send(sender=__name__,
                               credentials={"username": user.get_username()},
                               request=self.request)


class OtpConfirmForm(forms.Form):
    token = forms.CharField(label=_("Code shown by your authenticator app"), max_length=8)


class ReasonForm(forms.Form):
    """The reason an administrative action is taken; kept in the audit trail."""

    reason = forms.CharField(label=_("Reason"), min_length=2, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AccountCreateForm(ReasonForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    role = forms.ChoiceField(label=_("Role"))
    region_code = forms.ChoiceField(label=_("Region (staff)"), required=False, widget=LongSelect,
                                    help_text=_("For staff accounts: the region they work for."))
    organization_code = forms.CharField(
        label=_("Organization's unified social credit code (operators)"), max_length=18,
        required=False,
        help_text=_("For institution and enterprise accounts: the organization they act for."))
    sector = forms.CharField(label=_("Sector (industry department)"), max_length=50,
                             required=False)

    field_order = ["username", "last_name", "first_name", "email", "role", "region_code",
                   "organization_code", "sector", "reason"]

    def __init__(self, *args, roles, regions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "—"), *roles]
        self.fields["region_code"].choices = [("", "—"), *((r.code, str(r)) for r in regions)]


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False)
    active = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), ("1", _("Active")),
                                        ("0", _("Disabled"))])

    def __init__(self, *args, roles, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All")), *roles]


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("What is it for?"), max_length=100,
                           help_text=_("E.g. the name of the system that will use it."))
