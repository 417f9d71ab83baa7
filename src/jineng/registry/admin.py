"""Admin for the registries.

Reference data loaded from official sources (regions, skill levels) is read-only here.
Organization status changes go through the organization page (the service keeps the status
history); the admin shows the history read-only. Persons are registered through the person
page (the service encrypts and checks the ID number); the admin never shows a whole ID number
or its ciphertext or hash — only the masked number. Every admin write is audited
(AuditedAdminMixin).
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from jineng.core.admin import AuditedAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin
from jineng.registry.models import (
    KeyGroupMembership,
    Occupation,
    Organization,
    OrganizationStatusChange,
    Person,
    Region,
    SkillLevel,
    TrainingSite,
)

PERSON_SECRET_FIELDS = ("id_encrypted", "id_hash")


@admin.register(Region)
class RegionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    show_full_result_count = False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        # Reference data: every admin user may read it (also needed for autocomplete).
        return request.user.is_active and request.user.is_staff


@admin.register(SkillLevel)
class SkillLevelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("rank", "code", "name", "national_grade", "is_high_skilled")


@admin.register(Occupation)
class OccupationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "rank", "parent", "needs_code", "code_source")
    list_filter = ("rank", "needs_code")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)


class StatusHistoryInline(admin.TabularInline):
    model = OrganizationStatusChange
    extra = 0
    can_delete = False
    fields = ("effective_date", "action", "from_status", "to_status", "reason",
              "actor_username", "at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "institution_type", "credit_code", "region", "status",
                    "status_since")
    list_filter = ("kind", "institution_type", "status")
    search_fields = ("name", "credit_code")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)
    readonly_fields = ("status", "status_since", "credit_code_override", "created_at")
    inlines = [StatusHistoryInline]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # The credit code is checked by the registration service; it is not edited here.
        if obj is not None:
            return (*self.readonly_fields, "credit_code")
        return self.readonly_fields


@admin.register(OrganizationStatusChange)
class OrganizationStatusChangeAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("organization", "action", "from_status", "to_status", "effective_date",
                    "reason", "actor_username", "at")
    list_filter = ("to_status", "action")
    search_fields = ("organization__name", "reason")
    list_select_related = ("organization",)


@admin.register(TrainingSite)
class TrainingSiteAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "organization", "region", "capacity", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "address", "organization__name")
    list_select_related = ("organization", "region")
    autocomplete_fields = ("organization", "region")


class KeyGroupInline(admin.TabularInline):
    model = KeyGroupMembership
    extra = 0
    can_delete = False
    fields = ("group", "start_date", "end_date", "source")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Whole ID numbers never appear here: ciphertext and hash are excluded, the masked
    number is read-only. Register persons on the person page (it checks the ID number).
    Search is by name only: a whole ID number typed into the admin search would be written
    back into the page and the URL; the person page finds by ID number through a POST."""

    list_display = ("name", "id_masked", "gender", "birth_date", "region", "registered_by")
    list_filter = ("gender",)
    search_fields = ("name",)
    list_select_related = ("region", "registered_by")
    exclude = PERSON_SECRET_FIELDS
    readonly_fields = ("id_masked", "gender", "birth_date", "id_region", "created_at")
    fields = ("id_masked", "name", "gender", "birth_date", "id_region", "region", "phone",
              "address", "registered_by", "created_at")
    autocomplete_fields = ("region", "registered_by")
    inlines = [KeyGroupInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(KeyGroupMembership)
class KeyGroupMembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("person", "group", "start_date", "end_date", "source")
    list_filter = ("group",)
    search_fields = ("person__name",)
    list_select_related = ("person",)
    autocomplete_fields = ("person",)
