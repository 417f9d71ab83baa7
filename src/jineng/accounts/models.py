"""Users, their roles and the scope each role reads; API tokens for institutions' systems."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.accounts.rules import permissions
from jineng.core.scoping import Scope
from jineng.registry.choices import OrganizationKind, RegionLevel


class Role(models.TextChoices):
    PROVINCE_STAFF = "province_staff", _("Province HRSS staff")
    CITY_STAFF = "city_staff", _("City HRSS staff")
    COUNTY_STAFF = "county_staff", _("County HRSS staff")
    INDUSTRY_STAFF = "industry_staff", _("Industry department staff")
    TRAINING_OPERATOR = "training_operator", _("Training institution operator")
    EVALUATION_OPERATOR = "evaluation_operator", _("Evaluation institution operator")
    ENTERPRISE = "enterprise", _("Enterprise")
    INSPECTOR = "inspector", _("Inspector")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


HRSS_ROLES = {Role.PROVINCE_STAFF, Role.CITY_STAFF, Role.COUNTY_STAFF}
REGION_ROLES = HRSS_ROLES | {Role.INDUSTRY_STAFF, Role.INSPECTOR}
ORGANIZATION_ROLES = {
    Role.TRAINING_OPERATOR: OrganizationKind.TRAINING,
    Role.EVALUATION_OPERATOR: OrganizationKind.EVALUATION,
    Role.ENTERPRISE: OrganizationKind.ENTERPRISE,
}
STAFF_REGION_LEVEL = {
    Role.PROVINCE_STAFF: RegionLevel.PROVINCE,
    Role.CITY_STAFF: RegionLevel.CITY,
    Role.COUNTY_STAFF: RegionLevel.COUNTY,
}


class User(AbstractUser):
    """A person who logs in. Staff roles hold a region, organization roles an organization;
    `scope` says what they may read."""

    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey("registry.Organization", verbose_name=_("organization"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="users")
    sector = models.CharField(_("sector"), max_length=50, blank=True)
    # Set when staff create the account or reset its password: the temporary password they
    # were shown once opens only the page that sets a new one.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.role in REGION_ROLES:
            if self.region_id is None:
                errors["region"] = _("This role needs a region.")
            else:
                level = STAFF_REGION_LEVEL.get(self.role)
                if level and self.region.level != level:
                    errors["region"] = _("The region level does not match the role.")
            if self.organization_id is not None:
                errors["organization"] = _("Staff of a department do not belong to an "
                                           "organization.")
        kind = ORGANIZATION_ROLES.get(self.role)
        if kind:
            if self.organization_id is None:
                errors["organization"] = _("This role needs an organization.")
            elif self.organization.kind != kind:
                errors["organization"] = _("The organization kind does not match the role.")
            if self.region_id is not None:
                errors["region"] = _("Organization users are scoped by their organization, "
                                     "not by a region.")
        if self.sector and self.role != Role.INDUSTRY_STAFF:
            errors["sector"] = _("Only industry department staff have a sector.")
        if errors:
            raise ValidationError(errors)

    @property
    def scope(self) -> Scope:
        if self.is_superuser or self.role == Role.SYSTEM_ADMIN:
            return Scope(everything=True, sees_persons=True)
        if self.role in REGION_ROLES and self.region_id:
            return Scope(
                region_prefix=self.region.scope_prefix,
                sees_persons=self.role != Role.INDUSTRY_STAFF,
                sector=self.sector,
            )
        if self.role in ORGANIZATION_ROLES and self.organization_id:
            return Scope(organization_id=self.organization_id, sees_persons=True)
        return Scope.nothing()

    @property
    def is_hrss_staff(self) -> bool:
        return self.role in HRSS_ROLES or self.is_superuser

    @property
    def place(self):
        """The region the account is scoped by: its own, or its organization's."""
        if self.region_id:
            return self.region
        if self.organization_id:
            return self.organization.region
        return None

    @property
    def facts(self) -> permissions.Account:
        """What accounts.rules.permissions needs to know of this account."""
        place = self.place
        governs = self.role in REGION_ROLES and self.region_id is not None
        return permissions.Account(
            pk=self.pk, role=self.role, place=place.code if place else "",
            prefix=self.region.scope_prefix if governs else "",
            superuser=self.is_superuser, active=self.is_active)

    @property
    def audit_region_code(self) -> str:
        place = self.place
        return place.code if place else ""

    @property
    def audit_organization_id(self) -> int | None:
        return self.organization_id


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for an outside system acting as a user (shown once, stored hashed)."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("token prefix"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        token = "jn_" + secrets.token_urlsafe(32)
        row = cls.objects.create(user=user, name=name, key=hash_token(token), prefix=token[:8])
        return row, token
