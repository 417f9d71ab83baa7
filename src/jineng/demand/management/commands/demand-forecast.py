"""`jineng demand-forecast --region CODE --year Y --quarter Q [--as USERNAME] [--job]`: build a
region's demand forecast of a quarter (docs/demand.md), with a progress bar over the
occupations. Without --as it runs as the system (audited as "system"); with --job it is queued
as a background job of that user (`jineng jobs-run` runs it)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jineng.catalog.services import SYSTEM
from jineng.core.errors import DomainError
from jineng.demand.services import forecasts as services
from jineng.registry.models import Region


class Command(BaseCommand):
    help = "Build the demand forecast (需求预测目录) of a region for a quarter."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="region code, e.g. 520000")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
        parser.add_argument("--as", dest="username", default="",
                            help="the HRSS staff member building it (default: the system)")
        parser.add_argument("--job", action="store_true",
                            help="queue it as a background job (needs --as)")

    def handle(self, *args, region: str, year: int, quarter: int, username: str, job: bool,
               **options) -> None:
        place = Region.objects.filter(code=region).first()
        if place is None:
            raise CommandError(f"Unknown region {region!r}.")
        actor = SYSTEM
        if username:
            actor = get_user_model().objects.select_related("region").filter(
                username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {username!r}.")
        try:
            if job:
                if actor is SYSTEM:
                    raise CommandError("--job needs --as USERNAME.")
                queued = services.forecast_start(actor=actor, region=place, year=year,
                                                 quarter=quarter)
                self.stdout.write(f"queued job {queued.pk}")
                return
            bar = tqdm(total=0, unit="occupation", file=self.stderr._out, ascii=True)

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            forecast = services.forecast_build(actor=actor, region=place, year=year,
                                               quarter=quarter, progress=progress)
            bar.close()
        except DomainError as error:
            raise CommandError(f"{error.field or '-'}: {error.message}") from error
        overall = forecast.backtest.get("overall", {})
        urgent = forecast.lines.filter(urgent=True).count()
        self.stdout.write(
            f"forecast {forecast.pk}: {place.code} {year}Q{quarter}, "
            f"{forecast.lines.count()} occupations, {urgent} urgently needed; backtest "
            f"MAE {overall.get('mae')} MAPE {overall.get('mape')}% "
            f"over {overall.get('points')} quarters")
