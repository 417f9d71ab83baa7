"""Reading rows for the demo: occupations by id, unsaved instances for the signing service
(writing them in bulk is `jineng.core.bulk`)."""

from __future__ import annotations

from django.db import models
from django.db.models.base import ModelState


def _occupations(pks: set) -> list:
    from jineng.registry.models import Occupation

    return list(Occupation.objects.filter(pk__in={p for p in pks if p}))


_DEFAULTS: dict[type, dict] = {}


def _unsaved(model: type[models.Model], related: dict, **values) -> models.Model:
    """An unsaved instance built without `Model.__init__` (tens of thousands of them are only
    read by the signing service): every concrete field its default or the value given, and
    the related objects given put in the instance's cache, as a query would leave them."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = _DEFAULTS[model] = {
            f.attname: f.get_default() for f in model._meta.concrete_fields}
    obj = model.__new__(model)
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    obj._state = ModelState()
    obj._state.adding = True
    obj._state.fields_cache.update(related)
    return obj
