"""The record of what ran, for administrators: every job, read-only (jobs are written only by
their services and the worker)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from jineng.core.admin import ScopedAdminMixin
from jineng.jobs.models import Job


@admin.register(Job)
class JobAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("id", "title", "kind", "requested_by", "status", "done", "total",
                    "row_count", "created_at", "finished_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "kind", "requested_by__username")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [f.name for f in Job._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
