"""Hooks: how a lower app learns what a higher app knows, without importing it.

The layers (docs/architecture.md) let an app import only apps below it. Where a lower app needs
an answer only a higher app has (the subsidy limits shown at enrollment, the enrollments of a
person being merged, the certificates on a person's page), the lower app declares a
`Providers` in its `hooks` module and calls it; the higher app registers a provider in its
`AppConfig.ready()`:

    # registry/hooks.py (the lower app)
    person_references = Providers[Callable[[Person], int]]("registry.person_references")

    # training/apps.py (the higher app)
    def ready(self):
        from jineng.registry import hooks
        from jineng.training import selectors
        hooks.person_references.register("training.enrollments", selectors.person_enrollments)

    # registry code
    for name, count in hooks.person_references.call(person): ...

With no provider registered the lower app simply gets no answers: nothing reaches up through
`apps.get_model` or a guarded import, and import-linter can check the layers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Providers(Generic[F]):
    """A named, ordered set of providers. Registering the same name again replaces the
    provider (Django may call `ready()` twice in tests), so a provider is never called twice."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc or name
        self._providers: dict[str, F] = {}

    def register(self, name: str, provider: F) -> F:
        self._providers[name] = provider
        return provider

    def unregister(self, name: str) -> None:
        self._providers.pop(name, None)

    def items(self) -> Iterator[tuple[str, F]]:
        """(name, provider) pairs in registration order (a copy: safe while registering)."""
        yield from list(self._providers.items())

    def __len__(self) -> int:
        return len(self._providers)

    def call(self, *args: Any, **kwargs: Any) -> list[tuple[str, Any]]:
        """Every provider's answer, as (provider name, answer), in registration order."""
        return [(name, fn(*args, **kwargs)) for name, fn in self.items()]

    def first(self, *args: Any, default: Any = None, **kwargs: Any) -> Any:
        """The first provider's answer that is not None, or `default`."""
        for _name, fn in self.items():
            answer = fn(*args, **kwargs)
            if answer is not None:
                return answer
        return default

    def __repr__(self) -> str:
        return f"Providers({self.name!r}, providers={list(self._providers)})"


# The portal's landing page (portal.selectors.overview.work) asks the apps of its own layer for
# a role's work items (issue 14: an enterprise's demand lists to file or to correct), which it
# may not import. A provider takes `actor=` and returns a list of dicts with the WorkItem
# fields (key, label, count, url, rows); an empty list when the actor has none.
work_items = Providers[Callable[..., list]]("core.work_items")
