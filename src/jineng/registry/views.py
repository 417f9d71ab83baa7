"""Registry pages: thin views over selectors (reads, scoped) and services (writes, audited).

Out-of-scope records answer 404 exactly like missing ones; a service's Forbidden answers 403
and any other DomainError becomes a form error on the field it names.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.http import domain_errors, form_errors
from jineng.registry import forms, hooks, selectors, services
from jineng.registry.choices import OrganizationStatus
from jineng.registry.rules import permissions as may

PAGE_SIZE = 50


def _page(request: HttpRequest, qs) -> Page:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _filter_regions(user) -> list:
    """Regions offered in list filters: the user's subtree, or provinces and cities for users
    who see everything; none for organization users."""
    scope = user.scope
    if scope.everything:
        return list(selectors.region_choices(actor=user, levels=("province", "city")))
    if scope.region_prefix:
        return list(selectors.region_choices(actor=user, within=scope.region_prefix))
    return []


def _writable_regions(user, organization=None):
    """Regions a user may pick when registering: staff their subtree, organization users the
    province of their organization."""
    scope = user.scope
    if scope.region_prefix:
        return selectors.region_choices(actor=user, within=scope.region_prefix)
    if organization is not None:
        return selectors.region_choices(actor=user, within=organization.region.code[:2])
    if scope.organization_id and user.organization_id:
        return selectors.region_choices(actor=user, within=user.organization.region.code[:2])
    return selectors.region_choices(actor=user)


@contextmanager
def _region_refusal() -> Iterator[None]:
    """On forms that pick a region, a region outside the user's jurisdiction (Forbidden) is
    said beside the region field rather than on a 403 page."""
    try:
        yield
    except Forbidden as denied:
        raise DomainError(denied.message, field="region", code="forbidden") from denied


@contextmanager
def _field_renamed(service_field: str, form_field: str) -> Iterator[None]:
    """A service error on `service_field` shows on the form's `form_field`."""
    try:
        yield
    except DomainError as bad:
        if bad.field == service_field and not isinstance(bad, NotFound | Forbidden):
            bad.field = form_field
        raise


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _querystring(form) -> str:
    """The active filters, for links that keep them."""
    from urllib.parse import urlencode

    if not form.is_valid():
        return ""
    return urlencode({k: v for k, v in form.cleaned_data.items() if v not in ("", None, False)})


# --- regions -------------------------------------------------------------------------------

@login_required
@domain_errors
def region_list(request: HttpRequest) -> HttpResponse:
    parent_code = request.GET.get("parent", "").strip()
    q = request.GET.get("q", "").strip()
    parent = selectors.region_get(actor=request.user, code=parent_code) \
        if parent_code else None
    regions = selectors.region_children(actor=request.user, parent_code=parent_code or None,
                                        q=q)
    page = _page(request, regions)
    activity = selectors.region_activity(actor=request.user,
                                         prefix=parent.scope_prefix if parent and not q else "")
    totals: dict[str, dict[str, int]] = {}
    for code, counts in activity.items():
        for prefix in {code[:2], code[:4], code[:6], code}:
            bucket = totals.setdefault(prefix, {"organizations": 0, "sites": 0})
            bucket["organizations"] += counts["organizations"]
            bucket["sites"] += counts["sites"]
    empty = {"organizations": 0, "sites": 0}
    rows = [(region, totals.get(region.scope_prefix, empty)) for region in page]
    breadcrumbs = []
    if parent:
        breadcrumbs = [*selectors.region_ancestors(actor=request.user, region=parent), parent]
    home = request.user.region if request.user.scope.region_prefix else None
    return render(request, "registry/region_list.html", {
        "page": page, "rows": rows, "parent": parent, "breadcrumbs": breadcrumbs, "q": q,
        "home_region": home,
    })


# --- occupations ---------------------------------------------------------------------------

@login_required
@domain_errors
def occupation_list(request: HttpRequest) -> HttpResponse:
    form = forms.OccupationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    occupations = selectors.occupation_list(
        actor=request.user, q=filters.get("q", ""), rank=filters.get("rank") or None,
        needs_code=True if filters.get("needs_code") else None)
    return render(request, "registry/occupation_list.html",
                  {"page": _page(request, occupations), "form": form})


# --- organizations -------------------------------------------------------------------------

@login_required
@domain_errors
def organization_list(request: HttpRequest) -> HttpResponse:
    form = forms.OrganizationFilterForm(request.GET or None,
                                        regions=_filter_regions(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    orgs = selectors.organization_browse(
        actor=request.user, kind=filters.get("kind") or None,
        institution_type=filters.get("institution_type") or None,
        status=filters.get("status") or None, region_code=filters.get("region") or None,
        q=filters.get("q", "").strip())
    facts = services.actor_facts(request.user)
    return render(request, "registry/organization_list.html", {
        "page": _page(request, orgs), "form": form,
        "can_create": may.may_register_organizations(facts),
        "can_import": may.may_import(facts, "organizations"),
    })


def _organization_context(request: HttpRequest, org, *, status_form=None) -> dict:
    user = request.user
    facts = services.actor_facts(user)
    allowed = services.ALLOWED_STATUS_CHANGES.get(OrganizationStatus(org.status), set())
    can_change_status = (may.may_change_organization_status(facts, org.region.code)
                         and bool(allowed))
    if can_change_status and status_form is None:
        status_form = forms.StatusChangeForm(allowed=allowed)
    return {
        "org": org,
        "sites": list(selectors.site_list(actor=user, organization_id=org.pk)),
        "history": list(selectors.organization_status_history(actor=user, organization=org)),
        "status_form": status_form if can_change_status else None,
        "can_add_site": user.scope.organization_id == org.pk or user.is_hrss_staff,
        "can_edit": may.may_edit_organization(facts, org.region.code),
    }


@login_required
@domain_errors
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organization_get(actor=request.user, pk=pk)
    return render(request, "registry/organization_detail.html",
                  _organization_context(request, org))


@login_required
@require_POST
@domain_errors
def organization_status(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organization_get(actor=request.user, pk=pk)
    allowed = services.ALLOWED_STATUS_CHANGES.get(OrganizationStatus(org.status), set())
    form = forms.StatusChangeForm(request.POST, allowed=allowed)
    if form.is_valid():
        with form_errors(form):
            services.organization_change_status(
                actor=request.user, organization=org, status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                effective_date=form.cleaned_data["effective_date"])
            messages.success(request, _("Status changed."))
            return redirect("registry:organization_detail", pk=org.pk)
    return render(request, "registry/organization_detail.html",
                  _organization_context(request, org, status_form=form), status=400)


@login_required
@domain_errors
def organization_create(request: HttpRequest) -> HttpResponse:
    if not may.may_register_organizations(services.actor_facts(request.user)):
        raise PermissionDenied(_("Only HRSS staff may register organizations."))
    regions = _writable_regions(request.user)
    form = forms.OrganizationForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form) as outcome, _region_refusal():
            org = services.organization_create(actor=request.user, data=services.OrganizationInput(
                kind=data["kind"], name=data["name"], credit_code=data["credit_code"],
                region=data["region"], institution_type=data["institution_type"],
                address=data["address"], legal_representative=data["legal_representative"],
                contact_phone=data["contact_phone"], sector=data["sector"],
                credit_code_override=data["credit_code_override"]))
            messages.success(request, _("Organization registered."))
            return redirect("registry:organization_detail", pk=org.pk)
        if outcome.error.code == "check_character":
            form.needs_override = True
    return render(request, "registry/organization_form.html", {"form": form},
                  status=400 if form.errors else 200)


# --- training sites ------------------------------------------------------------------------

@login_required
@domain_errors
def site_list(request: HttpRequest) -> HttpResponse:
    form = forms.SiteFilterForm(request.GET or None, regions=_filter_regions(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    organization = None
    if filters.get("organization"):
        organization = selectors.organization_get(actor=request.user,
                              pk=filters["organization"])
    sites = selectors.site_list(actor=request.user,
                                organization_id=organization.pk if organization else None,
                                region_code=filters.get("region") or None)
    return render(request, "registry/site_list.html", {
        "page": _page(request, sites), "form": form, "organization": organization,
        "can_import": may.may_import(services.actor_facts(request.user), "sites"),
    })


@login_required
@domain_errors
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.site_get(actor=request.user, pk=pk)
    return render(request, "registry/site_detail.html", {"site": site})


@login_required
@domain_errors
def site_create(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = selectors.organization_get(actor=request.user, pk=org_pk)
    user = request.user
    if not (user.scope.organization_id == org.pk or user.is_hrss_staff):
        raise PermissionDenied(_("Only the organization's own users or HRSS staff may add "
                                 "its sites."))
    form = forms.SiteForm(request.POST or None,
                          regions=_writable_regions(user, organization=org),
                          initial={"region": org.region_id, "address": org.address})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            site = services.site_create(actor=user, data=services.SiteInput(
                organization=org, name=data["name"], address=data["address"],
                region=data["region"], longitude=data["longitude"],
                latitude=data["latitude"], capacity=data["capacity"]))
            messages.success(request, _("Training site added."))
            return redirect("registry:site_detail", pk=site.pk)
    return render(request, "registry/site_form.html", {"form": form, "org": org},
                  status=400 if form.errors else 200)


# --- persons -------------------------------------------------------------------------------

def _require_persons(request: HttpRequest) -> None:
    """Person pages exist only for scopes that may read persons at all."""
    if not request.user.scope.sees_persons:
        raise Http404(_("Not found."))


def _may_register_persons(user) -> bool:
    return may.may_register_persons(services.actor_facts(user))


@login_required
@domain_errors
def person_list(request: HttpRequest) -> HttpResponse:
    _require_persons(request)
    data = request.GET.copy()
    q = data.get("q", "").strip()
    searched_by_id = bool(q) and selectors.is_whole_id_number(q)
    if searched_by_id:
        # Never write a whole ID number back into the page (or into the pager links).
        from jineng.core.pii import mask_id_number

        data["q"] = mask_id_number(q)
    form = forms.PersonFilterForm(data or None, regions=_filter_regions(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    if searched_by_id:  # audited: a whole number tied to a person
        persons = services.person_search_by_id_number(actor=request.user, id_number=q,
                                                      ip_address=_ip(request))
    else:
        persons = selectors.person_browse(actor=request.user, q=q,
                                          region_code=filters.get("region") or None,
                                          key_group=filters.get("key_group") or None)
    return render(request, "registry/person_list.html", {
        "page": _page(request, persons), "form": form,
        "id_form": forms.PersonIdSearchForm(), "searched_by_id": searched_by_id,
        "can_register": _may_register_persons(request.user),
        "can_import": may.may_import(services.actor_facts(request.user), "persons"),
        "querystring": "" if searched_by_id else _querystring(form),
    })


@login_required
@require_POST
@domain_errors
def person_find(request: HttpRequest) -> HttpResponse:
    """Find a person by whole ID number, sent by POST so it stays out of URLs and logs."""
    _require_persons(request)
    id_form = forms.PersonIdSearchForm(request.POST)
    if id_form.is_valid():
        number = selectors.whole_id_number(id_form.cleaned_data["id_number"])
        if number is None:
            id_form.add_error("id_number", _("This is not a valid ID number."))
        else:
            found = services.person_search_by_id_number(actor=request.user, id_number=number,
                                                         ip_address=_ip(request))
            if not found:
                id_form.add_error("id_number",
                                  _("No person with this ID number in your records."))
            else:
                return redirect("registry:person_detail", pk=found[0].pk)
    form = forms.PersonFilterForm(regions=_filter_regions(request.user))
    persons = selectors.person_browse(actor=request.user)
    return render(request, "registry/person_list.html", {
        "page": _page(request, persons), "form": form, "id_form": id_form,
        "can_register": _may_register_persons(request.user), "querystring": "",
        "can_import": may.may_import(services.actor_facts(request.user), "persons"),
    }, status=400)


def _person_context(request: HttpRequest, person, **extra) -> dict:
    user = request.user
    facts = services.actor_facts(user, unmask=True)
    current = not person.merged_into_id
    context = {
        "person": person,
        "memberships": list(selectors.key_group_memberships(actor=user, person=person)),
        "can_unmask": may.may_unmask_id_number(facts),
        "unmask_form": forms.UnmaskForm(),
        "key_group_form": forms.KeyGroupForm() if current and may.may_add_key_group(
            facts, person.region.code) else None,
        "can_edit": current and may.may_edit_person(facts, person.region.code),
        "can_merge": current and may.may_merge_persons(facts, person.region.code,
                                                       person.region.code),
        "merges": list(selectors.person_merges(actor=user, person=person)),
        "whole_id": None,
        "extra_links": hooks.person_links(actor=user, person=person),
    }
    context.update(extra)
    return context


@login_required
@domain_errors
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_persons(request)
    person = selectors.person_get(actor=request.user, pk=pk)
    return render(request, "registry/person_detail.html", _person_context(request, person))


@never_cache
@login_required
@require_POST
@domain_errors
def person_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one person's whole ID number once, with a reason; the service audits each call."""
    _require_persons(request)
    person = selectors.person_get(actor=request.user, pk=pk)
    form = forms.UnmaskForm(request.POST)
    whole_id = None
    if not may.may_unmask_id_number(services.actor_facts(request.user, unmask=True)):
        # Refused (403), and the refusal is audited by the service.
        services.person_unmask_id(actor=request.user, person=person,
                                  reason=request.POST.get("reason", "")[:500],
                                  ip_address=_ip(request))
    if form.is_valid():
        whole_id = services.person_unmask_id(actor=request.user, person=person,
                                             reason=form.cleaned_data["reason"],
                                             ip_address=_ip(request))
    context = _person_context(request, person, unmask_form=form, whole_id=whole_id)
    template = ("registry/_id_number.html" if request.headers.get("HX-Request")
                else "registry/person_detail.html")
    return render(request, template, context, status=200 if whole_id or
                  request.headers.get("HX-Request") else 400)


@login_required
@require_POST
@domain_errors
def key_group_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_persons(request)
    person = selectors.person_get(actor=request.user, pk=pk)
    form = forms.KeyGroupForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            services.key_group_add(actor=request.user, person=person, group=data["group"],
                                   start_date=data["start_date"], end_date=data["end_date"],
                                   source=data["source"])
            messages.success(request, _("Key-group membership added."))
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "registry/person_detail.html",
                  _person_context(request, person, key_group_form=form), status=400)


@login_required
@domain_errors
def person_register(request: HttpRequest) -> HttpResponse:
    _require_persons(request)
    user = request.user
    if not _may_register_persons(user):
        raise PermissionDenied(_("You may not register persons."))
    form = forms.PersonRegisterForm(request.POST or None, regions=_writable_regions(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form), _region_refusal():
            person = services.person_register(actor=user, data=services.PersonInput(
                id_number=data["id_number"], name=data["name"], region=data["region"],
                phone=data["phone"], address=data["address"], key_groups=form.key_groups()))
            messages.success(request, _("Person registered."))
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "registry/person_form.html", {"form": form},
                  status=400 if form.errors else 200)


# --- corrections and merges ----------------------------------------------------------------

@login_required
@domain_errors
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a person's name, phone, residence address or region served in, with a reason
    (audited)."""
    _require_persons(request)
    user = request.user
    person = selectors.person_get(actor=user, pk=pk)
    if person.merged_into_id or not may.may_edit_person(services.actor_facts(user),
                                                        person.region.code):
        raise PermissionDenied(_("Only HRSS staff of the person's region may correct their "
                                 "details."))
    form = forms.PersonEditForm(request.POST or None, regions=_writable_regions(user),
                                initial={"name": person.name, "phone": person.phone,
                                         "address": person.address,
                                         "region": person.region_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form), _region_refusal():
            services.person_update(actor=user, person=person, reason=data["reason"],
                                   changes=services.PersonChanges(
                                       name=data["name"], phone=data["phone"],
                                       address=data["address"], region=data["region"]))
            messages.success(request, _("Details saved."))
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "registry/person_edit.html", {"form": form, "person": person},
                  status=400 if form.errors else 200)


@login_required
@domain_errors
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an organization's details, with a reason (audited)."""
    user = request.user
    org = selectors.organization_get(actor=user, pk=pk)
    if not may.may_edit_organization(services.actor_facts(user), org.region.code):
        raise PermissionDenied(_("Only HRSS staff of the organization's region may correct its "
                                 "details."))
    form = forms.OrganizationEditForm(
        request.POST or None, regions=_writable_regions(user),
        training=org.kind == "training",
        initial={"name": org.name, "institution_type": org.institution_type,
                 "region": org.region_id, "address": org.address,
                 "legal_representative": org.legal_representative,
                 "contact_phone": org.contact_phone, "sector": org.sector})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_errors(form), _region_refusal():
            services.organization_update(
                actor=user, organization=org, reason=data["reason"],
                changes=services.OrganizationChanges(
                    name=data["name"], institution_type=data.get("institution_type"),
                    region=data["region"], address=data["address"],
                    legal_representative=data["legal_representative"],
                    contact_phone=data["contact_phone"], sector=data["sector"]))
            messages.success(request, _("Details saved."))
            return redirect("registry:organization_detail", pk=org.pk)
    return render(request, "registry/organization_edit.html", {"form": form, "org": org},
                  status=400 if form.errors else 200)


@never_cache
@login_required
@domain_errors
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge this record (registered twice) into the record to keep, found by its ID number."""
    _require_persons(request)
    user = request.user
    duplicate = selectors.person_get(actor=user, pk=pk)
    if duplicate.merged_into_id or not may.may_merge_persons(
            services.actor_facts(user), duplicate.region.code, duplicate.region.code):
        raise PermissionDenied(_("Only HRSS staff governing both persons' regions may merge "
                                 "them."))
    form = forms.PersonMergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = selectors.whole_id_number(form.cleaned_data["survivor_id_number"])
        survivor = None
        if number is None:
            form.add_error("survivor_id_number", _("This is not a valid ID number."))
        else:
            try:
                survivor = selectors.person_find_by_id_number(actor=user, id_number=number)
            except NotFound:
                form.add_error("survivor_id_number",
                               _("No person with this ID number in your records."))
        if survivor is not None:
            with form_errors(form), _field_renamed("survivor", "survivor_id_number"):
                merge = services.person_merge(actor=user, duplicate=duplicate,
                                              survivor=survivor,
                                              reason=form.cleaned_data["reason"])
                messages.success(request, _("Merged. Everything attached to the duplicate now "
                                            "belongs to this record."))
                return redirect("registry:person_merge_detail", pk=merge.pk)
    return render(request, "registry/person_merge.html",
                  {"form": form, "person": duplicate}, status=400 if form.errors else 200)


@login_required
@domain_errors
def person_merge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_persons(request)
    merge = selectors.person_merge_get(actor=request.user, pk=pk)
    return render(request, "registry/person_merge_detail.html", {"merge": merge})
