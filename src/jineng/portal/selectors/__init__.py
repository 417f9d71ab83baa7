"""Reads of the public site and the landing page, one module per sub-domain: overview (the
landing page after login), site (the public training map and class pages), institutions (the
public directory of institutions, subsidy standards, the map's filter choices), search
(full-text search), coverage (the 30-minute training circle and site placement)."""

from jineng.portal.selectors.overview import (  # noqa: F401
    Overview,
    RegionRow,
    Work,
    WorkItem,
    overview,
    public_stats,
    work,
)
