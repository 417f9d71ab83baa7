"""The travel model's parameters page (/coverage/travel-settings/): for HRSS staff, the set in
force for a region today and the history of the province; for province HRSS staff, a form
recording a new set (detour factor per terrain, speed per travel mode and terrain) for the
province, a city or a county from a day on."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core.http import domain_errors, form_errors
from jineng.portal.models.coverage import Terrain, TravelMode
from jineng.portal.rules import travel
from jineng.portal.selectors import travel as selectors
from jineng.portal.services import travel_settings as services
from jineng.registry import selectors as registry

PARAMETER_FIELDS = ([f"detour.{t}" for t in travel.TERRAINS]
                    + [f"speed_kmh.{m}.{t}" for m in travel.MODES for t in travel.TERRAINS])


class TravelSettingsForm(forms.Form):
    region_code = forms.ChoiceField(label=gettext_lazy("Region"))
    valid_from = forms.DateField(label=gettext_lazy("Valid from"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label=gettext_lazy("Source of the figures"), required=False,
                             max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, current: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = getattr(getattr(user, "scope", None), "region_prefix", None) or ""
        self.fields["region_code"].choices = [
            (r.code, f"{r.code} {r.name}") for r in registry.region_choices(
                actor=user, within=prefix[:2], levels=("province", "city", "county"))[:500]]
        current = current or {}
        for name in PARAMETER_FIELDS:
            parts = name.split(".")
            if parts[0] == "detour":
                low, high = travel.MIN_DETOUR, travel.MAX_DETOUR
                value = current.get("detour", {}).get(parts[1])
            else:
                low, high = travel.SPEED_RANGE_KMH[parts[1]]
                value = current.get("speed_kmh", {}).get(parts[1], {}).get(parts[2])
            self.fields[name] = forms.DecimalField(
                label=services.field_label(name), min_value=low, max_value=high,
                decimal_places=2, max_digits=6, initial=value,
                help_text=_("from %(low)s to %(high)s") % {"low": low, "high": high},
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
        self.order_fields(["region_code", "valid_from", *PARAMETER_FIELDS, "source", "reason"])


@login_required
@domain_errors
def travel_settings_page(request):
    selectors.ensure_may_read(request.user)
    history = list(selectors.travel_settings_history(actor=request.user)[:200])
    own = getattr(getattr(request.user, "region", None), "code", "") or ""
    code = (request.POST.get("region_code") or request.GET.get("region") or own).strip()[:12]
    today = timezone.localdate()
    in_force = selectors.in_force(code, today) if code else selectors.DEFAULTS
    current = in_force.as_dict()
    may_set = services.may_set_travel_settings(request.user)
    form = None
    if may_set:
        form = TravelSettingsForm(request.POST or None, user=request.user, current=current,
                                  initial={"region_code": code, "valid_from": today})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            detour = {t: float(data[f"detour.{t}"]) for t in travel.TERRAINS}
            speed = {m: {t: float(data[f"speed_kmh.{m}.{t}"]) for t in travel.TERRAINS}
                     for m in travel.MODES}
            with form_errors(form):
                row = services.travel_settings_set(
                    actor=request.user, region_code=data["region_code"],
                    valid_from=data["valid_from"], detour=detour, speed_kmh=speed,
                    reason=data["reason"], source=data["source"])
                messages.success(request, _("The travel parameters of %(region)s from %(day)s "
                                            "are recorded.")
                                 % {"region": row.region.name, "day": row.valid_from})
                return redirect(f"{reverse('portal:travel_settings')}?region={row.region.code}")
    rows = [(_("Detour factor"), [current["detour"].get(t) for t in travel.TERRAINS])]
    modes = dict(_mode_labels())
    rows += [(_("Speed (km/h), %(mode)s") % {"mode": modes[m]},
              [current["speed_kmh"].get(m, {}).get(t) for t in travel.TERRAINS])
             for m in travel.MODES]
    return render(request, "portal/coverage/travel_settings.html", {
        "form": form, "history": history, "in_force": in_force, "current": current,
        "code": code, "rows": rows, "terrains": _terrain_labels(), "today": today,
        "default_version": travel.PARAMETERS_VERSION,
    }, status=400 if form is not None and form.errors else 200)


def _mode_labels():
    return TravelMode.choices


def _terrain_labels():
    return [label for _value, label in Terrain.choices]


urlpatterns = [
    path("coverage/travel-settings/", travel_settings_page, name="travel_settings"),
]
