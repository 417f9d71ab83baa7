"""The importer of each kind (`IMPORTERS`), and running one as an actor: what the pages, the API
and the CLI call."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from jineng.core.errors import NotFound
from jineng.core.importing import ImportReport
from jineng.registry.importers.base import Importer
from jineng.registry.importers.organizations import OrganizationImporter
from jineng.registry.importers.persons import PersonImporter
from jineng.registry.importers.regions import RegionImporter
from jineng.registry.importers.sites import SiteImporter
from jineng.registry.occupation_import import importer as occupation_importer

IMPORTERS: dict[str, Importer] = {
    "regions": RegionImporter(),
    "organizations": OrganizationImporter(),
    "sites": SiteImporter(),
    "persons": PersonImporter(),
    "occupations": occupation_importer,  # type: ignore[dict-item]  # needs source=…
}


def get_importer(kind: str) -> Importer:
    """The importer of a kind; an unknown kind is NotFound."""
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise NotFound()
    return importer


# Labels of the importer options the pages, the API and the CLI know how to ask for.
OPTION_LABELS = {
    "source": gettext_lazy("Source of the file (document, edition, web address)"),
}


def run(*, actor, kind: str, data: bytes, filename: str, skip_bad_rows: bool = False,
        **options: str) -> ImportReport:
    """Import a file of one kind as `actor` (used by the pages, the API and the CLI). Options
    the importer does not declare are ignored."""
    importer = get_importer(kind)
    wanted = {name: options.get(name) or "" for name in getattr(importer, "options", ())}
    return importer.run(actor=actor, data=data, filename=filename, skip_bad_rows=skip_bad_rows,
                        **wanted)
