"""Writes of the demand app: wishes. HRSS staff create and retire QR posters (培训意愿二维码,
Guizhou (十三)); anyone with a poster's link registers a training wish, with no login.

The public form never says whether a person is registered, nor whether the ID number already
had a wish: a first wish and a repeat (which updates the earlier one, one wish per keyed hash
of the ID number) answer alike. Abuse: every submission counts against its client address, every
valid phone against the phone (core.ratelimit; the first refusal of a window is audited); after
repeats the form asks for a one-time code sent to the phone (rules.wishes has the figures).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from jineng.core import audit, pii, ratelimit, sms
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.core.validators import InvalidIdentifier, parse_resident_id
from jineng.demand.choices import PosterPlace, PreferredTime
from jineng.demand.models import TrainingWish, WishChallenge, WishPoster
from jineng.demand.rules import wishes as rules
from jineng.demand.services import matching_refresh
from jineng.registry.choices import KeyGroup
from jineng.registry.models import Occupation, Region, SkillLevel, TrainingSite

__all__ = [
    "ChallengeRequired",
    "Throttled",
    "WishInput",
    "WishReceived",
    "count_address",
    "id_number_problem",
    "phone_problem",
    "poster_create",
    "poster_set_active",
    "wish_export",
    "wish_submit",
]

POSTER = "demand.wishposter"
WISH = "demand.trainingwish"
SCOPE_ADDRESS = "demand.wish.address"
SCOPE_PHONE = "demand.wish.phone"
SCOPE_CODE = "demand.wish.code"


class Throttled(DomainError):
    """Too many submissions from this address or phone in the current window (HTTP 429)."""

    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, code="throttled")
        self.retry_after = retry_after


class ChallengeRequired(DomainError):
    """This submission must carry the code just sent to the phone (field `sms_code`).
    `demo_code` holds the code only in the demo with no SMS gateway configured."""

    def __init__(self, message: str, *, demo_code: str = "") -> None:
        super().__init__(message, field="sms_code", code="challenge_required")
        self.demo_code = demo_code


# --- posters ---------------------------------------------------------------------------------

def _ensure_poster_staff(actor) -> None:
    scope = scope_of(actor)
    if not (scope.everything or (getattr(actor, "is_hrss_staff", False)
                                 and scope.region_prefix is not None)):
        raise Forbidden(_("Only HRSS staff make training-wish posters."))


def _coordinate(value, name: str, low: int, high: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter a number."), field=name) from None
    if not (low <= number <= high):
        raise DomainError(_("Must be between %(low)s and %(high)s.") % {"low": low, "high": high},
                          field=name)
    return number


def poster_create(*, actor, region_code: str, place_kind: str, place_name: str,
                  site_id: int | None = None, longitude=None, latitude=None) -> WishPoster:
    """A new QR poster hanging at a place of the staff's region (a training site, a village,
    a community, a gig labour market …)."""
    _ensure_poster_staff(actor)
    scope = scope_of(actor)
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None or not (scope.everything
                              or region.code.startswith(scope.region_prefix or "-")):
        raise DomainError(_("Choose a region of your own area."), field="region_code")
    if place_kind not in PosterPlace.values:
        raise DomainError(_("Choose the kind of place."), field="place_kind")
    name = " ".join((place_name or "").split())
    if not name:
        raise DomainError(_("Name the place where the poster hangs."), field="place_name",
                          code="required")
    if len(name) > rules.PLACE_MAX:
        raise DomainError(_("At most %(n)s characters.") % {"n": rules.PLACE_MAX},
                          field="place_name")
    site = None
    if site_id:
        site = TrainingSite.objects.filter(pk=site_id).select_related("region").first()
        if site is None or not site.region.code.startswith(region.code):
            raise DomainError(_("Choose a training site in the poster's region."),
                              field="site_id")
    lon = _coordinate(longitude, "longitude", -180, 180)
    lat = _coordinate(latitude, "latitude", -90, 90)
    if site is not None and lon is None and lat is None:
        lon, lat = site.longitude, site.latitude
    with transaction.atomic():
        poster = WishPoster.objects.create(
            region=region, place_kind=place_kind, place_name=name, site=site, longitude=lon,
            latitude=lat, created_by=getattr(actor, "username", "") or "")
        audit.record(actor=actor, action=AuditAction.CREATE, instance=poster,
                     after={"region": region.code, "place_kind": place_kind,
                            "place_name": name, "site": site.pk if site else None})
    return poster


def poster_set_active(*, actor, poster: WishPoster, active: bool) -> WishPoster:
    """Take a poster out of use (its link then answers "no longer in use") or back in."""
    _ensure_poster_staff(actor)
    with transaction.atomic():
        locked = (WishPoster.objects.visible_to(actor).select_for_update()
                  .select_related("region").filter(pk=poster.pk).first())
        if locked is None:
            raise NotFound()
        if locked.is_active == bool(active):
            raise DomainError(_("The poster is in use already.") if active
                              else _("The poster is out of use already."), field="active",
                              code="unchanged")
        locked.is_active = bool(active)
        locked.save(update_fields=["is_active"])
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=locked,
                     before={"is_active": not locked.is_active},
                     after={"is_active": locked.is_active})
    return locked


# --- the public wish form --------------------------------------------------------------------

@dataclass
class WishInput:
    """What the form or the API sends. Strings as typed; the service checks everything."""

    poster_token: str
    name: str
    id_number: str
    phone: str
    occupation_ids: list[int]
    consent: bool
    level_code: str = ""
    preferred_time: str = PreferredTime.ANY
    preferred_place: str = ""
    longitude: float | str | None = None
    latitude: float | str | None = None
    max_distance_km: int | None = None
    key_groups: list[str] = field(default_factory=list)
    sms_code: str = ""


@dataclass(frozen=True)
class WishReceived:
    """The outcome, for the service's callers and tests. Pages and the API answer the same
    whether `created` or not (a repeat must not reveal an earlier wish)."""

    wish_id: int
    created: bool


@dataclass(frozen=True)
class _Checked:
    poster: WishPoster
    name: str
    number: str
    phone: str
    occupations: list[Occupation]
    level: SkillLevel | None
    preferred_time: str
    preferred_place: str
    longitude: Decimal | None
    latitude: Decimal | None
    max_distance_km: int
    key_groups: list[str]


def id_number_problem(raw: str) -> DomainError | None:
    """The ID number's problem on the field (length, characters, check digit, birth date),
    without ever looking anyone up."""
    if not (raw or "").strip():
        return DomainError(_("Enter your ID number."), field="id_number", code="required")
    try:
        parse_resident_id(raw)
    except InvalidIdentifier as error:
        return DomainError(str(error), field="id_number", code=error.code)
    return None


def phone_problem(raw: str) -> DomainError | None:
    digits = rules.normalize_phone(raw)
    if not digits:
        return DomainError(_("Enter your mobile phone number."), field="phone", code="required")
    if not rules.is_mobile_phone(digits):
        return DomainError(_("Enter an 11-digit mobile number starting with 13 to 19."),
                           field="phone", code="phone")
    return None


def _check(data: WishInput) -> _Checked:
    poster = (WishPoster.objects.select_related("region")
              .filter(token=_token(data.poster_token), is_active=True).first())
    if poster is None:
        raise DomainError(_("This poster's code is unknown or no longer in use."),
                          field="poster_token", code="poster")
    name = rules.normalize_name(data.name)
    if not name:
        raise DomainError(_("Enter your name."), field="name", code="required")
    if len(name) > rules.NAME_MAX:
        raise DomainError(_("At most %(n)s characters.") % {"n": rules.NAME_MAX}, field="name")
    for problem in (id_number_problem(data.id_number), phone_problem(data.phone)):
        if problem is not None:
            raise problem
    ids = data.occupation_ids if isinstance(data.occupation_ids, list | tuple) else []
    try:
        wanted = list(dict.fromkeys(int(i) for i in ids))
    except (TypeError, ValueError):
        raise DomainError(_("Choose occupations from the list."), field="occupations") from None
    if not wanted:
        raise DomainError(_("Choose at least one occupation you want to learn."),
                          field="occupations", code="required")
    if len(wanted) > rules.OCCUPATIONS_MAX:
        raise DomainError(_("Choose at most %(n)s occupations.") % {"n": rules.OCCUPATIONS_MAX},
                          field="occupations")
    found = {o.pk: o for o in Occupation.objects.filter(
        pk__in=[i for i in wanted if 0 < i < 2**63], rank__in=("occupation", "work_type"))}
    if len(found) != len(wanted):
        raise DomainError(_("Choose occupations from the list."), field="occupations")
    level = None
    if data.level_code:
        level = SkillLevel.objects.filter(code=data.level_code).first()
        if level is None:
            raise DomainError(_("Choose a skill level from the list."), field="level")
    if data.preferred_time not in PreferredTime.values:
        raise DomainError(_("Choose when you can attend."), field="preferred_time")
    place = " ".join((data.preferred_place or "").split())
    if len(place) > rules.PLACE_MAX:
        raise DomainError(_("At most %(n)s characters.") % {"n": rules.PLACE_MAX},
                          field="preferred_place")
    lon = _coordinate(data.longitude, "longitude", -180, 180)
    lat = _coordinate(data.latitude, "latitude", -90, 90)
    if (lon is None) != (lat is None):
        raise DomainError(_("Give both longitude and latitude, or neither."), field="longitude")
    distance = rules.DISTANCE_KM_DEFAULT if data.max_distance_km in (None, "") \
        else data.max_distance_km
    try:
        distance = int(distance)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a whole number."), field="max_distance_km") from None
    if not rules.DISTANCE_KM_MIN <= distance <= rules.DISTANCE_KM_MAX:
        raise DomainError(_("Must be between %(low)s and %(high)s.") % {
            "low": rules.DISTANCE_KM_MIN, "high": rules.DISTANCE_KM_MAX},
            field="max_distance_km")
    groups = list(dict.fromkeys(data.key_groups or []))
    if any(g not in KeyGroup.values for g in groups):
        raise DomainError(_("Choose groups from the list."), field="key_groups")
    if data.consent is not True:
        raise DomainError(_("Agree to the use of your data, or we cannot register your wish."),
                          field="consent", code="required")
    return _Checked(poster=poster, name=name, number=parse_resident_id(data.id_number).number,
                    phone=rules.normalize_phone(data.phone),
                    occupations=[found[i] for i in wanted], level=level,
                    preferred_time=data.preferred_time, preferred_place=place, longitude=lon,
                    latitude=lat, max_distance_km=distance, key_groups=groups)


def _token(raw) -> str:
    import uuid

    try:
        return str(uuid.UUID(str(raw or "").strip()))
    except ValueError:
        return "00000000-0000-0000-0000-000000000000"


def _ip(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _code_hash(phone_hash: str, code: str) -> str:
    return salted_hmac("jineng.demand.wish_challenge", f"{phone_hash}:{code}",
                       algorithm="sha256").hexdigest()


def _throttled(decision: ratelimit.Decision) -> Throttled:
    return Throttled(_("Too many wishes were sent from here. Try again in %(minutes)s "
                       "minutes.") % {"minutes": max(1, decision.retry_after // 60)},
                     retry_after=decision.retry_after)


def _challenge(phone: str, phone_hash: str, code: str, address: str) -> None:
    """Check the code sent to this phone, or send one. Raises unless the code is right."""
    now = timezone.now()
    if code.strip():
        if not rules.looks_like_code(code):
            raise DomainError(_("Enter the 6-digit code from the text message."),
                              field="sms_code", code="wrong_code")
        with transaction.atomic():
            challenge = (WishChallenge.objects.select_for_update()
                         .filter(phone_hash=phone_hash, used_at__isnull=True,
                                 expires_at__gt=now, attempts__lt=rules.CODE_MAX_ATTEMPTS)
                         .order_by("-created_at", "-id").first())
            if challenge is not None and constant_time_compare(
                    challenge.code_hash, _code_hash(phone_hash, code.strip())):
                challenge.used_at = now
                challenge.save(update_fields=["used_at"])
                return
            if challenge is not None:
                challenge.attempts += 1
                challenge.save(update_fields=["attempts"])
        raise DomainError(_("The code is wrong or has expired. Send the form again without a "
                            "code to get a new one."), field="sms_code", code="wrong_code")
    decision = ratelimit.hit(SCOPE_CODE, phone, limit=rules.CODES_PER_PHONE.limit,
                             window=rules.CODES_PER_PHONE.window, ip_address=_ip(address))
    if not decision.allowed:
        raise _throttled(decision)
    new = rules.new_code()
    with transaction.atomic():
        WishChallenge.objects.create(phone_hash=phone_hash, expires_at=now + rules.CODE_TTL,
                                     code_hash=_code_hash(phone_hash, new))
        text = _("Your jineng training-wish code is %(code)s, valid for %(minutes)s minutes. "
                 "Do not tell anyone.") % {"code": new,
                                           "minutes": int(rules.CODE_TTL.total_seconds() // 60)}
        transaction.on_commit(lambda: sms.send(phone, text))
    show = settings.DEMO and not sms.gateway_configured()
    raise ChallengeRequired(_("We sent a code to your phone: enter it to confirm your wish."),
                            demo_code=new if show else "")


def count_address(client_address: str | None) -> None:
    """Count one submission against its client address (Throttled above the limit). The
    form calls it for submissions it refuses before the service sees them, so a flood of
    invalid forms is slowed too."""
    address = (client_address or "").strip()[:64]
    decision = ratelimit.hit(SCOPE_ADDRESS, address, limit=rules.ADDRESS_LIMIT.limit,
                             window=rules.ADDRESS_LIMIT.window, ip_address=_ip(address))
    if not decision.allowed:
        raise _throttled(decision)


def wish_submit(*, actor, data: WishInput, client_address: str | None = None) -> WishReceived:
    """Register a training wish from a poster's link (anonymous). A repeat of the same ID
    number updates the earlier wish. Refused: any invalid field (named), too many submissions
    from the address or phone (Throttled, 429), a missing or wrong code once a challenge is
    asked (ChallengeRequired / wrong_code)."""
    address = (client_address or "").strip()[:64]
    by_address = ratelimit.hit(SCOPE_ADDRESS, address, limit=rules.ADDRESS_LIMIT.limit,
                               window=rules.ADDRESS_LIMIT.window, ip_address=_ip(address))
    if not by_address.allowed:
        raise _throttled(by_address)
    checked = _check(data)
    by_phone = ratelimit.hit(SCOPE_PHONE, checked.phone, limit=rules.PHONE_LIMIT.limit,
                             window=rules.PHONE_LIMIT.window, ip_address=_ip(address))
    if not by_phone.allowed:
        raise _throttled(by_phone)
    phone_hash = pii.keyed_hash(f"phone:{checked.phone}")
    if rules.challenge_needed(address_count=by_address.count - 1,
                              phone_count=by_phone.count - 1):
        _challenge(checked.phone, phone_hash, data.sms_code or "", address)
    id_hash = pii.keyed_hash(checked.number)
    now = timezone.now()
    values = {
        "poster": checked.poster, "region": checked.poster.region, "name": checked.name,
        "phone": checked.phone, "level": checked.level,
        "preferred_time": checked.preferred_time, "preferred_place": checked.preferred_place,
        "longitude": checked.longitude, "latitude": checked.latitude,
        "max_distance_km": checked.max_distance_km, "key_groups": checked.key_groups,
        "consent_at": now, "consent_version": rules.CONSENT_VERSION,
    }
    with transaction.atomic():
        wish = TrainingWish.objects.select_for_update().filter(id_hash=id_hash).first()
        created = wish is None
        if created:
            try:
                with transaction.atomic():
                    wish = TrainingWish.objects.create(
                        id_hash=id_hash, id_encrypted=pii.encrypt(checked.number),
                        id_masked=pii.mask_id_number(checked.number), **values)
            except IntegrityError:  # the same person, sent twice at once: update theirs
                wish = TrainingWish.objects.select_for_update().get(id_hash=id_hash)
                created = False
        if not created:
            before = {"poster": wish.poster_id, "occupations": sorted(
                wish.occupations.values_list("pk", flat=True))}
            for key, value in values.items():
                setattr(wish, key, value)
            wish.times_submitted += 1
            wish.save()
        wish.occupations.set(checked.occupations)
        after = {"id_masked": wish.id_masked, "poster": checked.poster.pk,
                 "region": checked.poster.region.code,
                 "occupations": [o.pk for o in checked.occupations],
                 "level": checked.level.code if checked.level else "",
                 "key_groups": checked.key_groups, "phone": rules.mask_phone(checked.phone),
                 "consent_version": rules.CONSENT_VERSION}
        audit.record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE,
                     instance=wish, label=f"{_('training wish')} {wish.id_masked}",
                     before=None if created else before, after=after, ip_address=_ip(address))
        if not created:  # the classes proposed to it follow (a background task)
            matching_refresh.wish_refresh_queue(wish)
    return WishReceived(wish_id=wish.pk, created=created)


def wish_export(*, actor, region_code: str = "", key_group: str = "") -> bytes:
    """The wishes of the actor's region as an Excel file (text cells stay text; the ID number
    masked). Personal data leave the system, so the export is audited."""
    from jineng.core.tabular import write_xlsx
    from jineng.demand import selectors

    scope = scope_of(actor)
    if not (scope.everything or scope.sees_persons):
        raise NotFound()
    wishes = selectors.wish_list(actor=actor, region_code=region_code, key_group=key_group)
    groups = dict(KeyGroup.choices)
    rows = [[w.name, w.id_masked, w.phone, w.region.code, w.region.name,
             w.poster.place_name if w.poster else "",
             "、".join(o.name for o in w.occupations.all()),
             w.level.name if w.level else "", str(w.get_preferred_time_display()),
             w.preferred_place, w.max_distance_km,
             "、".join(str(groups.get(g, g)) for g in w.key_groups),
             str(w.get_status_display()), timezone.localtime(w.updated_at).strftime(
                 "%Y-%m-%d %H:%M")] for w in wishes.order_by("region__code", "pk")]
    headers = [_("Name"), _("ID number"), _("Phone"), _("Region code"), _("Region"),
               _("Poster"), _("Occupations"), _("Skill level"), _("Preferred time"),
               _("Preferred place"), _("Farthest (km)"), _("Key groups"), _("Status"),
               _("Updated")]
    data = write_xlsx(_("Training wishes"), headers, rows)
    with transaction.atomic():
        audit.record(actor=actor, action=AuditAction.EXPORT, entity_type=WISH,
                     label=_("training wishes exported"),
                     region_code=region_code or (scope.region_prefix or ""),
                     after={"rows": len(rows), "region": region_code, "key_group": key_group,
                            "format": "xlsx"})
    return data
