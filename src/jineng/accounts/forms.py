from django import forms
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationForm


class LoginForm(OTPAuthenticationForm):
    """User name, password and — for users who enabled it — a one-time password."""

    otp_token = forms.CharField(label=_("One-time password (if enabled)"), required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                              "inputmode": "numeric"}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # django-otp also offers device choice and challenges; one TOTP device is enough here.
        self.fields.pop("otp_device", None)
        self.fields.pop("otp_challenge", None)


class OtpConfirmForm(forms.Form):
    token = forms.CharField(label=_("Code shown by your authenticator app"), max_length=8)
