"""Real-name registries: regions, occupations and skill levels, organizations, sites, persons."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jineng.core.history import StatusHistoryEntry
from jineng.core.scoping import Scope, ScopedQuerySet, any_of, region_q
from jineng.registry.choices import (
    Gender,
    InstitutionType,
    KeyGroup,
    OccupationRank,
    OrganizationKind,
    OrganizationStatus,
    RegionLevel,
)

SCOPE_PREFIX_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWN: 9,
    RegionLevel.VILLAGE: 12,
}


class PublicQuerySet(ScopedQuerySet):
    """Reference data everyone may read (regions, occupations, levels)."""

    def scope_filter(self, scope: Scope) -> Q:
        return Q()


class Region(models.Model):
    """An administrative division (GB/T 2260; towns and villages by 9/12-digit statistical
    codes). A region's subtree is every region whose code starts with its scope prefix."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent region"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6,
                                    null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6,
                                   null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_active = models.BooleanField(_("current"), default=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="region_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="region_latitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def scope_prefix(self) -> str:
        return self.code[: SCOPE_PREFIX_LENGTH[self.level]]

    @property
    def audit_region_code(self) -> str:
        return self.code

    def contains(self, other: Region) -> bool:
        return other.code.startswith(self.scope_prefix)


class SkillLevel(models.Model):
    """A rung of the 新八级工 ladder, with the national 五级–一级 grade where it has one.
    高技能人才 (high-skilled) = 高级工 and above."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30)
    national_grade = models.CharField(_("national grade"), max_length=10, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    is_high_skilled = models.BooleanField(_("high-skilled"), default=False)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = _("skill level")
        verbose_name_plural = _("skill levels")
        ordering = ["rank"]

    def __str__(self) -> str:
        return f"{self.name}（{self.national_grade}）" if self.national_grade else self.name


class Occupation(models.Model):
    """An entry of the 2022 《中华人民共和国职业分类大典》: a group, an occupation or a 工种.
    `code` is set only where a public source states it (`code_source`); otherwise the entry is
    listed without a code and flagged (`needs_code`), never with a guessed code. The one
    exception: a 工种 that a public source lists under its (coded) occupation but that has no
    numeric code of its own is kept uncoded and unflagged, with that source in `code_source`.
    See docs/data-sources.md."""

    code = models.CharField(_("code"), max_length=20, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=100)
    rank = models.CharField(_("rank"), max_length=12, choices=OccupationRank.choices,
                            default=OccupationRank.OCCUPATION)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    code_source = models.CharField(_("code source"), max_length=300, blank=True)
    needs_code = models.BooleanField(
        _("code not yet confirmed"), default=False,
        help_text=_("Named by a policy, but no public source for its official code was found."),
    )
    named_in = models.CharField(_("named in policies"), max_length=300, blank=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")
        ordering = ["code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name"],
                                    condition=Q(code__isnull=True, parent__isnull=True),
                                    name="occupation_uncoded_name_unique"),
            models.UniqueConstraint(fields=["parent", "name"], condition=Q(code__isnull=True),
                                    name="occupation_uncoded_work_type_unique"),
            models.CheckConstraint(
                condition=Q(code__isnull=False) | Q(needs_code=True)
                | (Q(rank=OccupationRank.WORK_TYPE, parent__isnull=False) & ~Q(code_source="")),
                name="occupation_uncoded_is_flagged_or_listed_work_type",
            ),
        ]

    def __str__(self) -> str:
        if self.code:
            return f"{self.code} {self.name}"
        return f"{self.name}（{_('code pending')}）" if self.needs_code else self.name


class OrganizationQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:
            return Q(status=OrganizationStatus.LISTED) & ~Q(kind=OrganizationKind.ENTERPRISE)
        return any_of(
            region_q("region", scope),
            Q(pk=scope.organization_id) if scope.organization_id else None,
        )


class Organization(models.Model):
    """A training institution, evaluation institution or enterprise, identified by its unified
    social credit code (GB 32100)."""

    kind = models.CharField(_("kind"), max_length=12, choices=OrganizationKind.choices)
    institution_type = models.CharField(
        _("institution type"), max_length=24, choices=InstitutionType.choices, blank=True,
    )
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    credit_code_override = models.TextField(
        _("reason for accepting a failed check character"), blank=True,
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="organizations")
    address = models.CharField(_("address"), max_length=300, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50,
                                            blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    sector = models.CharField(_("sector"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=OrganizationStatus.choices,
                              default=OrganizationStatus.LISTED)
    status_since = models.DateField(_("status since"), default=dt.date.today)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="training") | Q(institution_type=""),
                name="organization_type_only_for_training",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.region.code

    @property
    def audit_organization_id(self) -> int:
        return self.pk


class OrganizationStatusChangeQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:
            return None
        return any_of(
            region_q("organization__region", scope),
            Q(organization_id=scope.organization_id) if scope.organization_id else None,
        )


class OrganizationStatusChange(StatusHistoryEntry):
    """One entry of an organization's status history (registered, suspended, reinstated,
    revoked), in core's one history shape; written by `core.history.record_transition`."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="status_history",
                                     verbose_name=_("organization"))
    from_status = models.CharField(_("from"), max_length=20, blank=True,
                                   choices=OrganizationStatus.choices)
    to_status = models.CharField(_("status"), max_length=20, choices=OrganizationStatus.choices)

    objects = OrganizationStatusChangeQuerySet.as_manager()

    class Meta(StatusHistoryEntry.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["organization", "effective_date", "id"]

    def __str__(self) -> str:
        return f"{self.organization} → {self.get_to_status_display()} ({self.effective_date})"


class TrainingSiteQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        if scope.public:
            return Q(is_active=True, organization__status=OrganizationStatus.LISTED) & ~Q(
                organization__kind=OrganizationKind.ENTERPRISE)
        # Staff see the sites in their region and every site of the organizations they govern
        # (an institution may train in a neighbouring county).
        return any_of(
            region_q("region", scope),
            region_q("organization__region", scope),
            Q(organization_id=scope.organization_id) if scope.organization_id else None,
        )


class TrainingSite(models.Model):
    """A place where training happens: address, region, coordinates, capacity."""

    organization = models.ForeignKey(Organization, verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="sites")
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    capacity = models.PositiveIntegerField(_("capacity (trainees at once)"))
    is_active = models.BooleanField(_("in use"), default=True)

    objects = TrainingSiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("training site")
        verbose_name_plural = _("training sites")
        ordering = ["organization", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="site_capacity_positive"),
            models.CheckConstraint(condition=Q(longitude__gte=73, longitude__lte=136),
                                   name="site_longitude_in_china"),
            models.CheckConstraint(condition=Q(latitude__gte=3, latitude__lte=54),
                                   name="site_latitude_in_china"),
            models.UniqueConstraint(fields=["organization", "name"], name="site_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name} · {self.name}"

    @property
    def audit_region_code(self) -> str:
        return self.region.code

    @property
    def audit_organization_id(self) -> int:
        return self.organization_id


def person_scope_q(scope: Scope, path: str = "") -> Q | None:
    """Persons a scope may read: staff their region's residents, an institution those it
    registered and those enrolled in its classes. `path` reaches the person from another
    model."""
    if not scope.sees_persons:
        return None
    return any_of(
        region_q(f"{path}region", scope),
        Q(**{f"{path}registered_by_id": scope.organization_id}) if scope.organization_id
        else None,
        _enrolled_with_q(scope.organization_id, path) if scope.organization_id else None,
    )


def _enrolled_with_q(organization_id: int, path: str) -> Q | None:
    """Persons an organization serves in higher apps (trainees enrolled in its classes, …), as
    semi-joins (no duplicate rows). Higher apps provide them through `hooks.persons_served`:
    the registry does not import them."""
    from jineng.registry import hooks

    return any_of(*(Q(**{f"{path}pk__in": person_ids})
                    for _name, person_ids in hooks.persons_served.call(organization_id)
                    if person_ids is not None))


class PersonQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return person_scope_q(scope)


class Person(models.Model):
    """One real-name worker per resident ID number (GB 11643). The number is stored encrypted,
    found by keyed hash and shown masked; birth date and gender are derived from it."""

    id_hash = models.CharField(_("ID number keyed hash"), max_length=64, unique=True,
                               editable=False)
    id_encrypted = models.TextField(_("ID number (encrypted)"), editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    id_region = models.ForeignKey(
        Region, verbose_name=_("region of ID number"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", editable=False,
    )
    region = models.ForeignKey(Region, verbose_name=_("region served in"),
                               on_delete=models.PROTECT, related_name="persons")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # 常住地址: where the person lives, as they give it. Shown to whoever may see the person;
    # the ring rule (R08) links people sharing it (keyed hash of its normalised form only).
    address = models.CharField(_("residence address"), max_length=200, blank=True)
    registered_by = models.ForeignKey(
        Organization, verbose_name=_("registered by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="registered_persons",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    # A person registered twice is merged into the surviving record: the duplicate is kept
    # (its number still finds the survivor) but nothing new attaches to it.
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="merged_duplicates", editable=False,
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["id"]
        permissions = [("unmask_id_number", _("Can see whole ID numbers (audited)"))]
        constraints = [
            models.CheckConstraint(condition=Q(merged_into__isnull=True)
                                   | ~Q(merged_into=F("pk")),
                                   name="person_not_merged_into_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"

    @property
    def audit_region_code(self) -> str:
        return self.region.code

    @property
    def audit_organization_id(self) -> int | None:
        return self.registered_by_id

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class KeyGroupMembershipQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return person_scope_q(scope, "person__")

    def active_on(self, day: dt.date) -> KeyGroupMembershipQuerySet:
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


class KeyGroupMembership(models.Model):
    """A person's membership of a key group (高校毕业生, 农民工, …) for a period."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="key_groups")
    group = models.CharField(_("key group"), max_length=24, choices=KeyGroup.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    source = models.CharField(_("evidence / source"), max_length=200, blank=True)

    objects = KeyGroupMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("key-group membership")
        verbose_name_plural = _("key-group memberships")
        ordering = ["person", "group", "start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) |
                                   Q(end_date__gte=F("start_date")),
                                   name="keygroup_end_after_start"),
            models.UniqueConstraint(fields=["person", "group", "start_date"],
                                    name="keygroup_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name}: {self.get_group_display()}"

    @property
    def audit_region_code(self) -> str:
        return self.person.region.code

    @property
    def audit_organization_id(self) -> int | None:
        return self.person.registered_by_id


class PersonMergeQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q | None:
        return person_scope_q(scope, "survivor__")


class PersonMerge(models.Model):
    """A person registered twice, merged by staff: which record survived, why, who, when, and
    how many records of each kind moved from the duplicate to the survivor."""

    duplicate = models.OneToOneField(Person, verbose_name=_("duplicate"),
                                     on_delete=models.PROTECT, related_name="merge")
    survivor = models.ForeignKey(Person, verbose_name=_("survivor"), on_delete=models.PROTECT,
                                 related_name="merges")
    reason = models.TextField(_("reason"))
    merged_by = models.CharField(_("merged by"), max_length=150)
    merged_at = models.DateTimeField(_("merged"), auto_now_add=True)
    moved = models.JSONField(_("records moved"), default=dict, blank=True)

    objects = PersonMergeQuerySet.as_manager()

    class Meta:
        verbose_name = _("person merge")
        verbose_name_plural = _("person merges")
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(duplicate=F("survivor")),
                                   name="person_merge_two_persons"),
        ]

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.survivor_id}"

    @property
    def audit_region_code(self) -> str:
        return self.survivor.region.code

    @property
    def audit_organization_id(self) -> int | None:
        return self.survivor.registered_by_id
