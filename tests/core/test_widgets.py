"""core.widgets.LongSelect writes the markup Django's Select writes, faster."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django import forms

from jineng.core.widgets import LongSelect

CHOICES = [("", "—"), ("520000", "贵州省（520000）"), ("520100", "　贵阳市 <&\"'>"),
           ("520102", "　　南明区")]


class _Markup(HTMLParser):
    """Tags with their attributes (in any order) and the text between them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.parts: list = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.parts.append((tag, sorted(attrs, key=lambda a: a[0])))

    def handle_endtag(self, tag):
        self.parts.append(("/", tag))

    def handle_data(self, data):
        if data.strip():
            self.parts.append(data)


def _tidy(html: str) -> list:
    return _Markup(html).parts


@pytest.mark.parametrize("value", [None, "", "520100", "999999"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_region", "required": True,
                                          "data-x": "a\"b"}])
def test_long_select_renders_what_django_select_renders(value, attrs):
    ours = LongSelect(choices=CHOICES).render("region", value, attrs)
    django = forms.Select(choices=CHOICES).render("region", value, attrs)
    assert _tidy(ours) == _tidy(django)
    assert ("selected" in ours) == (value in {None, "", "520100"})


def test_a_form_field_keeps_its_choices_and_validation():
    class F(forms.Form):
        region = forms.ChoiceField(choices=CHOICES, widget=LongSelect)

    form = F({"region": "520102"})
    assert form.is_valid()
    assert '<option value="520102" selected>' in str(form["region"])
    assert not F({"region": "999999"}).is_valid()
