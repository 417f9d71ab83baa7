"""Form widgets shared by the apps."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class LongSelect(forms.Select):
    """A select for long lists (regions: about 3,400 for a system administrator).

    Django's Select renders every option through a template, about 60 µs an option: 0.2 s of
    a person's registration page went to its region list. This writes the same markup (no
    option groups) in one pass; get_context still decides which option is selected.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((option["value"], flatatt(option["attrs"]), option["label"])
             for _group, choices, _index in widget["optgroups"] for option in choices))
        return format_html('<select name="{}"{}>{}</select>', widget["name"],
                           flatatt(widget["attrs"]), options)
