"""core.http: domain errors in views become the 404 and 403 pages or messages beside fields."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.http import domain_errors, form_errors, message_errors


class NameForm(forms.Form):
    name = forms.CharField()


def _request():
    request = RequestFactory().post("/x")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize(("error", "page"), [(NotFound(), Http404),
                                             (Forbidden("不可"), PermissionDenied)])
def test_the_decorator_turns_scope_errors_into_pages(error, page):
    @domain_errors
    def view(request):
        raise error

    with pytest.raises(page):
        view(_request())


def test_the_decorator_lets_answers_and_other_errors_through():
    assert domain_errors(lambda request: HttpResponse("ok"))(_request()).content == b"ok"

    @domain_errors
    def view(request):
        raise Conflict("重复")

    with pytest.raises(Conflict):
        view(_request())


def test_a_field_error_is_shown_beside_its_field():
    form = NameForm({"name": "x"})
    assert form.is_valid()
    with form_errors(form) as outcome:
        raise DomainError("姓名与登记不符", field="name")
    assert outcome.failed and form.errors == {"name": ["姓名与登记不符"]}


def test_an_error_without_a_known_field_is_shown_on_the_form():
    form = NameForm({"name": "x"})
    form.is_valid()
    with form_errors(form) as outcome:
        raise DomainError("班级已满", field="planned_size")
    assert outcome.failed and form.non_field_errors() == ["班级已满"]


def test_a_block_that_succeeds_leaves_the_form_alone():
    form = NameForm({"name": "x"})
    form.is_valid()
    with form_errors(form) as outcome:
        pass
    assert not outcome.failed and not form.errors


@pytest.mark.parametrize(("error", "page"), [(NotFound(), Http404),
                                             (Forbidden(), PermissionDenied)])
def test_scope_errors_inside_a_form_block_are_pages_not_messages(error, page):
    form = NameForm({"name": "x"})
    form.is_valid()
    with pytest.raises(page), form_errors(form):
        raise error
    assert not form.errors


def test_message_errors_become_messages():
    request = _request()
    with message_errors(request) as outcome:
        raise Conflict("该版本已提交")
    assert outcome.failed
    assert [str(m) for m in get_messages(request)] == ["该版本已提交"]
    with pytest.raises(PermissionDenied), message_errors(request):
        raise Forbidden()
