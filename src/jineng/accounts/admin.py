"""Admin for users (with role, region, organization, sector) and API tokens.

User changes made here are audited like every other admin write (the password hash is never
copied into an audit snapshot). Only superusers edit users here: staff administer accounts on
the account pages, under the permission rules. API tokens are issued by the accounts service
(the token is shown once); the admin lists and revokes nothing by itself and never shows the
stored hash.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jineng.accounts.models import ApiToken, User
from jineng.core.admin import AuditedAdminMixin, ReadOnlyAdminMixin


def users_visible_to(request: HttpRequest, qs):
    """Superusers see all users; others the users of their region subtree or organization."""
    user = request.user
    if user.is_superuser:
        return qs
    scope = user.scope
    if scope.everything:
        return qs
    if scope.region_prefix:
        return qs.filter(Q(region__code__startswith=scope.region_prefix)
                         | Q(organization__region__code__startswith=scope.region_prefix))
    if scope.organization_id:
        return qs.filter(organization_id=scope.organization_id)
    return qs.none()


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    list_display = ("username", "get_full_name", "role", "region", "organization", "is_active",
                    "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email")
    list_select_related = ("region", "organization")
    autocomplete_fields = ("region", "organization")
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:2],
        (_("Role and scope"), {"fields": ("role", "region", "organization", "sector")}),
        *DjangoUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2")}),
        (_("Role and scope"), {"fields": ("role", "region", "organization", "sector")}),
    )

    @admin.display(description=_("name"))
    def get_full_name(self, obj: User) -> str:
        return obj.get_full_name()

    # Staff administer accounts on the account pages, under accounts.rules.permissions (no
    # account above their own power); the admin's free-form user editing is for superusers.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def get_queryset(self, request: HttpRequest):
        # ScopedAdminMixin needs visible_to; users are scoped by region / organization here.
        qs = admin.ModelAdmin.get_queryset(self, request)
        return users_visible_to(request, qs)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    exclude = ("key",)

    def get_queryset(self, request: HttpRequest):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        visible_users = users_visible_to(request, User.objects.all())
        return qs.filter(user__in=visible_users)
