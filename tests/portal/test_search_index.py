"""The public search index and the search over it, on the real database (SQLite FTS5 or
PostgreSQL GIN/tsvector, whichever the run uses): classes, institutions, occupations and policy
clauses found by Chinese words, each clause citing its pack and clause; only public things;
rebuild, refresh and per-record sync."""

import pytest
from django.db import connection

from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditEvent
from jineng.portal.models import SearchDocument
from jineng.portal.selectors import search as s
from jineng.portal.services import search as index
from jineng.registry.models import Occupation
from jineng.training import services as training
from tests import factories as f
from tests.portal.search_support import rebuild, search_world

pytestmark = pytest.mark.django_db


def titles(answer):
    return [(h.kind, h.title) for h in answer.hits]


def test_rebuild_indexes_public_things_only():
    world = search_world()
    report = rebuild()
    kinds = dict(SearchDocument.objects.values_list("ref", "kind").filter(kind="class"))
    assert str(world.open_class.pk) in kinds and str(world.upcoming.pk) in kinds
    assert str(world.declared.pk) not in kinds  # declared: not public
    assert not SearchDocument.objects.filter(organization=world.enterprise).exists()
    assert report.added["clause"] == SearchDocument.objects.filter(kind="clause").count() > 10
    assert report.added["occupation"] == Occupation.objects.filter(
        rank__in=("occupation", "work_type")).count()
    event = AuditEvent.objects.filter(entity_type="portal.search_index").latest("id")
    assert event.after["added"]["class"] == 2


def test_classes_found_by_chinese_words_title_hits_first():
    search_world()
    rebuild()
    answer = s.search(actor=None, q="养老护理")
    found = titles(answer)
    # Both classes hold 养老 (the first in its title, the second in its title too); the
    # occupation 养老护理员 is found as well.
    assert ("class", "养老护理员（初级）就业技能培训第1期") in found
    assert ("occupation", "养老护理员") in found
    assert answer.mode == "all"
    first_body_only = next(i for i, h in enumerate(answer.hits) if not h.title_hit) \
        if any(not h.title_hit for h in answer.hits) else len(answer.hits)
    assert all(h.title_hit for h in answer.hits[:first_body_only])


def test_words_in_the_body_find_a_class():
    world = search_world()
    rebuild()
    # The institution's name is in the class's text, not its title.
    answer = s.search(actor=None, q="阳光", kind="class")
    refs = {h.title for h in answer.hits}
    assert world.open_class.name in refs and not any(h.title_hit for h in answer.hits)


def test_institution_found_enterprise_and_declared_class_not():
    world = search_world()
    rebuild()
    answer = s.search(actor=None, q="阳光职业技能培训学校", kind="institution")
    assert [h.title for h in answer.hits] == [world.w.org.name]
    assert answer.hits[0].url == f"/institutions/{world.w.org.pk}/" or answer.hits[0].url == ""
    assert s.search(actor=None, q="秘密").count == 0  # enterprise and declared class hidden


def test_policy_answers_cite_their_clause():
    search_world()
    rebuild()
    answer = s.search(actor=None, q="考培分离", kind="clause")
    assert answer.hits, "the Guizhou checklist names 考培分离"
    hit = answer.hits[0]
    assert hit.citation is not None
    assert hit.citation.pack == "guizhou-2025-2027"
    assert hit.citation.clause  # e.g. 三、（十一）, as the pack records it
    assert "贵州" in hit.citation.policy or "职业技能" in hit.citation.policy
    assert hit.citation.quote


def test_any_word_when_no_document_holds_every_word():
    search_world()
    rebuild()
    answer = s.search(actor=None, q="养老 火星", kind="class")
    assert answer.mode == "any" and answer.count >= 1


def test_pinyin_query_is_corrected_to_the_occupation():
    search_world()
    rebuild()
    answer = s.search(actor=None, q="ylhly")  # 养老护理员 by its initials
    assert answer.occupations[0].name == "养老护理员"
    assert answer.corrected_to == "养老护理员"
    assert any(h.kind == "class" for h in answer.hits)


@pytest.mark.parametrize("q, field, code", [
    ("", "q", "required"), ("   ", "q", "required"), ("，。！", "q", "required"),
    ("的", "q", "required"), ("电" * 101, "q", "max_length"),
])
def test_bad_queries_name_the_field(q, field, code):
    with pytest.raises(DomainError) as raised:
        s.search(actor=None, q=q)
    assert (raised.value.field, raised.value.code) == (field, code)


@pytest.mark.parametrize("kw, field", [({"kind": "person"}, "kind"), ({"limit": 0}, "limit"),
                                       ({"limit": 51}, "limit"), ({"offset": -1}, "offset"),
                                       ({"offset": 5000}, "offset")])
def test_bad_paging_and_kind_name_the_field(kw, field):
    with pytest.raises(DomainError) as raised:
        s.search(actor=None, q="电工", **kw)
    assert raised.value.field == field


def test_paging_and_capped_count():
    search_world()
    rebuild()
    first = s.search(actor=None, q="培训", limit=2)
    assert len(first.hits) == 2 and first.next_offset == 2
    second = s.search(actor=None, q="培训", limit=2, offset=2)
    assert {h.title for h in first.hits}.isdisjoint({h.title for h in second.hits})


def test_refresh_follows_status_changes_and_new_records():
    world = search_world()
    rebuild()
    training.class_transition(actor=world.w.county_staff, training_class=world.declared,
                              action="approve")
    world.w.org.status = "suspended"
    world.w.org.save()
    report = index.search_index_refresh()
    assert report.added["class"] == 1
    assert report.removed["institution"] == 1
    assert SearchDocument.objects.filter(training_class=world.declared).exists()
    assert not SearchDocument.objects.filter(organization=world.w.org).exists()
    again = index.search_index_refresh()
    assert again.total_added == 0 and again.total_removed == 0


def test_saves_sync_one_record_on_commit(django_capture_on_commit_callbacks):
    world = search_world()
    rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        training.class_transition(actor=world.w.county_staff, training_class=world.declared,
                                  action="approve")
    assert s.search(actor=None, q="秘密筹备", kind="class").count == 1
    with django_capture_on_commit_callbacks(execute=True):
        training.class_transition(actor=world.w.county_staff, training_class=world.declared,
                                  action="cancel", reason="测试")
    assert s.search(actor=None, q="秘密筹备", kind="class").count == 0


def test_a_stale_class_document_is_not_shown():
    world = search_world()
    rebuild()
    # Cancelled without the signal's sync (as a bulk update would): still in the index, but the
    # search checks classes again.
    type(world.open_class).objects.filter(pk=world.upcoming.pk).update(status="cancelled")
    answer = s.search(actor=None, q="居家养老照护", kind="class")
    assert all("居家养老" not in h.title for h in answer.hits)


def test_rebuild_refused_for_other_staff_changes_nothing():
    search_world()
    rebuild()
    before = SearchDocument.objects.count()
    with pytest.raises(Forbidden):
        index.search_index_rebuild(actor=f.staff("county_staff", f.COUNTY))
    assert SearchDocument.objects.count() == before
    index.search_index_rebuild(actor=f.staff())  # province staff may
    assert SearchDocument.objects.count() == before


def test_full_text_index_exists_for_this_database():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = "
                           "'portal_search_tokens_gin'")
            assert "gin" in cursor.fetchone()[0].lower()
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'portal_search_fts'")
            assert "fts5" in cursor.fetchone()[0].lower()


def test_a_common_word_ranks_title_matches_first_however_many_documents_hold_it():
    """Bounded by design: 1,100 documents hold 培训 in their text only and were indexed first;
    the three whose title holds it come first, and the count stops at the cap."""
    body_only = [SearchDocument(kind="institution", ref=f"b{i}", title=f"机构{i}",
                                title_tokens=f"机构 {i}", tokens=f"机构 {i} 培训")
                 for i in range(1100)]
    titled = [SearchDocument(kind="institution", ref=f"t{i}", title=f"培训中心{i}",
                             title_tokens=f"培训 中心 {i}", tokens=f"培训 中心 {i}")
              for i in range(3)]
    index._insert(body_only)
    index._insert(titled)
    answer = s.search(actor=None, q="培训", limit=5)
    assert answer.count == 1000 and answer.count_capped
    assert [h.title for h in answer.hits[:3]] == ["培训中心0", "培训中心1", "培训中心2"]
    assert all(h.title_hit for h in answer.hits[:3]) and not answer.hits[3].title_hit


def test_a_kind_with_few_documents_is_found_among_a_common_words_matches():
    index._insert([SearchDocument(kind="institution", ref=f"b{i}", title=f"培训机构{i}",
                                  title_tokens=f"培训 机构 {i}", tokens=f"培训 机构 {i}")
                   for i in range(1100)])
    index._insert([SearchDocument(kind="clause", ref=f"c{i}", title=f"条款{i}",
                                  title_tokens=f"条款 {i}", tokens=f"条款 {i} 培训")
                   for i in range(2)])
    answer = s.search(actor=None, q="培训", kind="clause")
    assert answer.count == 2 and {h.kind for h in answer.hits} == {"clause"}
    assert s.search(actor=None, q="培训", kind="institution").count == 1000
