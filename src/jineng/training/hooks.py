"""What the training app lets higher apps plug in (published: other apps may import this module).

`enrollment_warnings`: warnings shown when a person is checked for a class (enrollment and the
eligibility page), e.g. the subsidy app's frequency limits ("already subsidized for this
occupation this year"). Each provider is called as

    def warnings(*, person, occupation, level, training_type, day) -> list[str]

and returns sentences in the user's language. They warn; they never refuse an enrollment.

`class_finished`: called as `provider(*, actor, training_class)` inside the transaction that
finishes a class (the class row locked), e.g. the assessment app moving a class whose
assessments all closed before it finished on to "assessed".
Higher apps register in their `AppConfig.ready()` (see core.hooks).
"""

from __future__ import annotations

from collections.abc import Callable

from jineng.core.hooks import Providers

enrollment_warnings: Providers[Callable[..., list[str]]] = Providers(
    "training.enrollment_warnings")

class_finished: Providers[Callable[..., None]] = Providers("training.class_finished")
