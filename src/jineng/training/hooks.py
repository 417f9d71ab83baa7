"""What the training app lets higher apps plug in (published: other apps may import this module).

`enrollment_warnings`: warnings shown when a person is checked for a class (enrollment and the
eligibility page), e.g. the subsidy app's frequency limits ("already subsidized for this
occupation this year"). Each provider is called as

    def warnings(*, person, occupation, level, training_type, day) -> list[str]

and returns sentences in the user's language. They warn; they never refuse an enrollment.

`class_finished`: called as `provider(*, actor, training_class)` inside the transaction that
finishes a class (the class row locked), e.g. the assessment app moving a class whose
assessments all closed before it finished on to "assessed".

`class_changed`: called as `provider(*, actor, training_class, action)` inside the transaction
that moves a class through its states (`action` as in `class_transition`: approve, cancel,
suspend, …) or replaces its declaration (`resubmit`: site, schedule, size), after the class is
saved, e.g. the demand app queueing a refresh of the classes proposed to training wishes.
Providers must be cheap (queue work, do not do it) and must not fail the change.
Higher apps register in their `AppConfig.ready()` (see core.hooks).
"""

from __future__ import annotations

from collections.abc import Callable

from jineng.core.hooks import Providers

enrollment_warnings: Providers[Callable[..., list[str]]] = Providers(
    "training.enrollment_warnings")

class_finished: Providers[Callable[..., None]] = Providers("training.class_finished")

class_changed: Providers[Callable[..., None]] = Providers("training.class_changed")
