"""`jineng search-index [--refresh] [--background --as USER]`: build the public search index
again (classes, institutions, occupations, policy clauses), or catch up with what changed.

Without options the whole index is rebuilt here, in one transaction, with a progress bar (as
the system: the command runs on the server). `--refresh` adds and drops only what changed
(cheap; e.g. from cron after bulk imports). `--background --as USER` starts the rebuild as a
background job of that user (province staff), as the search page's button does."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jineng.core.errors import DomainError
from jineng.portal.services import search


class Command(BaseCommand):
    help = "Rebuild (or --refresh) the public search index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--refresh", action="store_true",
                            help="only add and drop what changed since the last rebuild")
        parser.add_argument("--background", action="store_true",
                            help="start a background job instead (needs --as)")
        parser.add_argument("--as", dest="username", default="",
                            help="the user who starts the background job")

    def handle(self, *args, refresh: bool, background: bool, username: str, **options) -> None:
        try:
            if background:
                user = get_user_model().objects.filter(username=username).first()
                if user is None:
                    raise CommandError("--background needs --as USER (an existing user).")
                job = search.search_index_rebuild_start(actor=user)
                self.stdout.write(f"job {job.pk} queued ({job.kind}); run `jineng jobs-run`.")
                return
            if refresh:
                report = search.search_index_refresh()
            else:
                with tqdm(total=search.source_total(), unit="doc", disable=None) as bar:
                    report = search.search_index_rebuild(
                        actor=None, progress=lambda done: bar.update(done - bar.n))
        except DomainError as refused:
            raise CommandError(refused.message) from None
        done = report.as_dict()
        self.stdout.write(f"added {done['added']}, removed {done['removed']}")
