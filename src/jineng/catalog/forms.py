"""Forms of the catalog pages (validation of shapes only; rules live in services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jineng.catalog import importers, selectors
from jineng.catalog.choices import CatalogKind, TrainingType
from jineng.core.errors import NotFound
from jineng.registry import selectors as registry_selectors
from jineng.registry.choices import RegionLevel


class DateInput(forms.DateInput):
    input_type = "date"


class CatalogForm(forms.Form):
    """Province staff create their province's base catalog of a kind; city and county staff
    create their supplement to it."""

    kind = forms.ChoiceField(label=_("Kind"), choices=CatalogKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Empty: a title from the region and the kind."))

    def __init__(self, *args, actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean(self):
        data = super().clean()
        region = getattr(self.actor, "region", None)
        if region is None:
            raise forms.ValidationError(_("Only staff with a region can create catalogs."))
        data["region"] = region
        data["base"] = None
        if region.level != RegionLevel.PROVINCE and data.get("kind"):
            province = region.code[:2] + "0000"
            base = (selectors.catalog_list(actor=self.actor, kind=data["kind"])
                    .filter(region__code=province, base__isnull=True).first())
            if base is None:
                raise forms.ValidationError(_("Your province has not published a base catalog "
                                              "of this kind yet; a supplement needs one."))
            data["base"] = base
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {"kind": d["kind"], "region": d["region"], "title": d["title"], "base": d["base"]}


class DraftForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput)
    effective_to = forms.DateField(label=_("Effective until"), required=False, widget=DateInput,
                                   help_text=_("Empty: until a new version replaces it."))
    change_note = forms.CharField(label=_("What changes"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    copy_entries = forms.BooleanField(label=_("Start from the entries of the current version"),
                                      required=False, initial=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx, or .csv in UTF-8 or GBK)"))
    mode = forms.ChoiceField(label=_("Mode"), initial=importers.REPLACE, choices=[
        (importers.REPLACE, _("Replace every entry of the draft with the file")),
        (importers.APPEND, _("Add the file's rows to the draft")),
    ])
    skip_bad_rows = forms.BooleanField(
        label=_("Skip bad rows (import the good rows, report the bad ones)"), required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejecting"),
                             widget=forms.Textarea(attrs={"rows": 2}))


class LookupForm(forms.Form):
    occupation = forms.CharField(label=_("Occupation (name or code)"), required=False)
    level = forms.ChoiceField(label=_("Skill level"), required=False)
    special_ability_item = forms.CharField(label=_("or special ability item"), required=False)
    region = forms.CharField(label=_("Region code"), initial="",
                             help_text=_("e.g. 520102 for a county"))
    training_type = forms.ChoiceField(label=_("Training type"), choices=TrainingType.choices)
    day = forms.DateField(label=_("On"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "—")] + [
            (lv.code, str(lv)) for lv in registry_selectors.skill_level_list(actor=None)]

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        try:
            return registry_selectors.region_get(actor=None, code=code)
        except NotFound:
            raise forms.ValidationError(_("Unknown region code.")) from None

    def clean_occupation(self):
        raw = self.cleaned_data["occupation"].strip()
        if not raw:
            return None
        found = [o for o in registry_selectors.occupation_list(actor=None, q=raw)
                 if raw in (o.name, o.code)]
        if not found:
            raise forms.ValidationError(_("Unknown occupation."))
        return found[0]

    def clean(self):
        data = super().clean()
        if not data.get("special_ability_item") and not (data.get("occupation")
                                                         and data.get("level")):
            raise forms.ValidationError(
                _("Give an occupation and a skill level, or a special ability item."))
        return data
