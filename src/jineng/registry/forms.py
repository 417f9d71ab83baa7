"""Forms of the registry pages. They only parse input; services decide and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jineng.core.errors import DomainError
from jineng.core.widgets import LongSelect
from jineng.registry.choices import (
    InstitutionType,
    KeyGroup,
    OccupationRank,
    OrganizationKind,
    OrganizationStatus,
)
from jineng.registry.models import Region

ALL = _("All")


def blank(choices, label=ALL) -> list[tuple[str, str]]:
    return [("", label), *choices]


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error on the field it names (or above the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class RegionChoiceField(forms.ModelChoiceField):
    widget = LongSelect

    def label_from_instance(self, obj: Region) -> str:
        indent = {"province": "", "city": "　", "county": "　　"}.get(obj.level, "")
        return f"{indent}{obj.name}（{obj.code}）"


class DateInput(forms.DateInput):
    """A browser date picker: its value must be ISO (YYYY-MM-DD) whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class SecretTextInput(forms.TextInput):
    """A text box that never writes its value back into the page (for ID numbers)."""

    def format_value(self, value):
        return None


# --- filters -------------------------------------------------------------------------------

class OccupationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False)
    rank = forms.ChoiceField(label=_("Rank"), required=False,
                             choices=blank(OccupationRank.choices))
    needs_code = forms.BooleanField(label=_("Only entries with code pending"), required=False)


class RegionFilterForm(forms.Form):
    """A list filter with a `region` choice among the regions the user may pick (hidden when
    there are none to pick from)."""

    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, regions=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields([*(n for n in self.fields if n != "region"), "region"])  # last
        self.fields["region"].choices = blank(region_option_list(regions))
        if not regions:
            self.fields["region"].widget = forms.HiddenInput()


class OrganizationFilterForm(RegionFilterForm):
    q = forms.CharField(label=_("Name or credit code"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=blank(OrganizationKind.choices))
    institution_type = forms.ChoiceField(label=_("Institution type"), required=False,
                                         choices=blank(InstitutionType.choices))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=blank(OrganizationStatus.choices))


class SiteFilterForm(RegionFilterForm):
    organization = forms.IntegerField(required=False, widget=forms.HiddenInput())


class PersonFilterForm(RegionFilterForm):
    # A whole ID number typed here still finds the person (and is never written back into the
    # page), but the page offers PersonIdSearchForm, sent by POST, so numbers stay out of URLs.
    q = forms.CharField(label=_("Full name"), required=False)
    key_group = forms.ChoiceField(label=_("Key group"), required=False,
                                  choices=blank(KeyGroup.choices))


def region_option_list(regions) -> list[tuple[str, str]]:
    indent = {"province": "", "city": "　", "county": "　　"}
    return [(r.code, f"{indent.get(r.level, '')}{r.name}") for r in regions]


class PersonIdSearchForm(forms.Form):
    id_number = forms.CharField(label=_("Whole ID number"), max_length=18, min_length=15,
                                widget=SecretTextInput(attrs={"autocomplete": "off",
                                                              "spellcheck": "false"}))


# --- writes --------------------------------------------------------------------------------

class OrganizationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganizationKind.choices)
    institution_type = forms.ChoiceField(
        label=_("Institution type"), required=False,
        choices=blank(InstitutionType.choices, _("— (not a training institution)")))
    name = forms.CharField(label=_("Name"), max_length=200)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18,
                                  min_length=18)
    credit_code_override = forms.CharField(
        label=_("Reason for accepting a failed check character"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the code is genuine although its check character fails "
                    "(some early pilot codes)."))
    region = RegionChoiceField(label=_("Region"), queryset=Region.objects.none())
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50,
                                           required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    sector = forms.CharField(label=_("Sector"), max_length=50, required=False)

    def __init__(self, *args, regions=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions
        self.needs_override = bool(self.data.get("credit_code_override"))


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=OrganizationStatus.choices)
    effective_date = forms.DateField(label=_("Effective date"),
                                     widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, allowed=None, **kwargs) -> None:
        kwargs.setdefault("initial", {"effective_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["status"].choices = [c for c in OrganizationStatus.choices
                                             if c[0] in allowed]


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300)
    region = RegionChoiceField(label=_("Region"), queryset=Region.objects.none())
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6)
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6)
    capacity = forms.IntegerField(label=_("Capacity (trainees at once)"), min_value=1)

    def __init__(self, *args, regions=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions


class PersonRegisterForm(forms.Form):
    id_number = forms.CharField(
        label=_("ID number"), max_length=18,
        widget=SecretTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("18 characters (an old 15-digit number is converted). It is stored "
                    "encrypted and shown masked from now on."))
    name = forms.CharField(label=_("Full name"), max_length=50)
    region = RegionChoiceField(label=_("Region served in"), queryset=Region.objects.none())
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Residence address"), max_length=200, required=False,
                              help_text=_("Where the person lives (常住地址), e.g. "
                                          "南明区人民路12号3单元401室."))
    key_group = forms.ChoiceField(label=_("Key group"), required=False,
                                  choices=blank(KeyGroup.choices, _("— none —")))
    key_group_start = forms.DateField(label=_("Member of the key group since"),
                                      required=False,
                                      widget=DateInput())

    def __init__(self, *args, regions=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("key_group") and not cleaned.get("key_group_start"):
            self.add_error("key_group_start", _("Give the date the membership began."))
        return cleaned

    def key_groups(self) -> tuple:
        group = self.cleaned_data.get("key_group")
        return ((group, self.cleaned_data["key_group_start"]),) if group else ()


class KeyGroupForm(forms.Form):
    group = forms.ChoiceField(label=_("Key group"), choices=KeyGroup.choices)
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("Until"), required=False,
                               widget=DateInput())
    source = forms.CharField(label=_("Evidence / source"), max_length=200, required=False)


class UnmaskForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the whole ID number?"), max_length=500,
        widget=forms.TextInput(attrs={"size": 40}),
        help_text=_("Recorded in the audit trail with your name and the time."))


# --- corrections and merges ----------------------------------------------------------------

REASON_HELP = _("Kept in the audit trail with the fields changed, your name and the time.")


class PersonEditForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Residence address"), max_length=200, required=False)
    region = RegionChoiceField(label=_("Region served in"), queryset=Region.objects.none())
    reason = forms.CharField(label=_("Reason for the change"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP)

    def __init__(self, *args, regions=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions


class OrganizationEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    institution_type = forms.ChoiceField(
        label=_("Institution type"), required=False,
        choices=blank(InstitutionType.choices, _("— (not a training institution)")))
    region = RegionChoiceField(label=_("Region"), queryset=Region.objects.none())
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50,
                                           required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    sector = forms.CharField(label=_("Sector"), max_length=50, required=False)
    reason = forms.CharField(label=_("Reason for the change"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP)

    def __init__(self, *args, regions=None, training: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions
        if not training:
            del self.fields["institution_type"]


class PersonMergeForm(forms.Form):
    survivor_id_number = forms.CharField(
        label=_("ID number of the record to keep"), max_length=18, min_length=15,
        widget=SecretTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The correct record (an old 15-digit number is converted). This record is "
                    "kept, marked as merged, and everything attached to it moves there."))
    reason = forms.CharField(label=_("Reason for the merge"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP)
