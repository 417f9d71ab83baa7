"""The public search index: one document per public thing a visitor can find — an open or
upcoming class, a listed institution, an occupation or work type, a clause of a loaded policy
pack — with its text cut into Chinese words by jieba (portal.rules.search).

Full text, set-based, on both databases: PostgreSQL reads a GIN index over
`to_tsvector('simple', tokens)` (the tokens are already words, joined by spaces); SQLite reads an
FTS5 table (`portal_search_fts`, rowid = document id) kept by the index services. Both are
created by `FullTextIndex` in the migration. See docs/portal.md, Search.
"""

from __future__ import annotations

from django.db import models
from django.db.backends.ddl_references import Statement, Table
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.core.scoping import Scope, ScopedQuerySet

FTS_TABLE = "portal_search_fts"


class SearchKind(models.TextChoices):
    CLASS = "class", _("Class")
    INSTITUTION = "institution", _("Institution")
    OCCUPATION = "occupation", _("Occupation")
    CLAUSE = "clause", _("Policy clause")


class FullTextIndex(models.Index):
    """The full-text index of a token column, by database: on PostgreSQL a GIN index on
    `to_tsvector('simple', <field>)`; on SQLite an FTS5 table with the columns `fts_columns`
    (filled by the services, rowid = the row's id); elsewhere a plain index."""

    def __init__(self, *, name: str, field: str, fts_table: str,
                 fts_columns: tuple[str, ...] | list[str]) -> None:
        super().__init__(fields=[field], name=name)
        self.field = field
        self.fts_table = fts_table
        self.fts_columns = tuple(fts_columns)

    def deconstruct(self):
        return ("jineng.portal.models.search.FullTextIndex", (),
                {"name": self.name, "field": self.field, "fts_table": self.fts_table,
                 "fts_columns": list(self.fts_columns)})

    def create_sql(self, model, schema_editor, using="", **kwargs):
        quote = schema_editor.quote_name
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            return Statement(
                "CREATE INDEX %(name)s ON %(table)s USING gin "
                "(to_tsvector('simple'::regconfig, %(column)s))",
                name=quote(self.name), table=Table(model._meta.db_table, quote),
                column=quote(model._meta.get_field(self.field).column))
        if vendor == "sqlite":
            return Statement("CREATE VIRTUAL TABLE IF NOT EXISTS %(table)s USING fts5(%(columns)s)",
                             table=quote(self.fts_table),
                             columns=", ".join(quote(c) for c in self.fts_columns))
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        quote = schema_editor.quote_name
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            return Statement("DROP INDEX IF EXISTS %(name)s", name=quote(self.name))
        if vendor == "sqlite":
            return Statement("DROP TABLE IF EXISTS %(table)s", table=quote(self.fts_table))
        return super().remove_sql(model, schema_editor, **kwargs)


class SearchDocumentQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q:
        # Only public things are indexed (the services decide what goes in), so everyone may
        # read the index; the search selector checks classes again as it answers.
        return Q()


class SearchDocument(models.Model):
    """One thing the public search finds, with its text as Chinese words. Derived data: the
    services rebuild it from the classes, institutions, occupations and policy packs; a source
    row deleted takes its document with it."""

    kind = models.CharField(_("kind"), max_length=12, choices=SearchKind.choices)
    ref = models.CharField(_("reference"), max_length=200,
                           help_text=_("The source record: its id, or plan/clause key."))
    title = models.CharField(_("title"), max_length=400)
    summary = models.TextField(_("summary"), blank=True)
    region_code = models.CharField(_("region"), max_length=12, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    training_class = models.ForeignKey("training.TrainingClass", verbose_name=_("class"),
                                       null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="+")
    organization = models.ForeignKey("registry.Organization", verbose_name=_("institution"),
                                     null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"),
                                   null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    plan = models.ForeignKey("plans.Plan", verbose_name=_("plan"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    # A clause's citation, as its policy pack records it.
    pack_key = models.CharField(_("pack"), max_length=80, blank=True)
    pack_title = models.CharField(_("policy"), max_length=300, blank=True)
    clause = models.CharField(_("clause"), max_length=80, blank=True)
    quote = models.TextField(_("quote"), blank=True)
    title_tokens = models.TextField(_("title words"))
    tokens = models.TextField(_("words"), help_text=_("Title and body words, space-separated."))
    indexed_at = models.DateTimeField(_("indexed"), auto_now=True)

    objects = SearchDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref"], name="search_document_unique"),
        ]
        indexes = [
            # SQLite: the kind is an FTS column too, so a search of one kind is one MATCH
            # (`kind : occupation AND "培训"`) rather than a walk over a common word's matches.
            FullTextIndex(name="portal_search_tokens_gin", field="tokens", fts_table=FTS_TABLE,
                          fts_columns=("title_tokens", "tokens", "kind")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"
