"""Every read of the training app, scoped to the actor. Out of scope answers NotFound.

One module per sub-domain: `classes` (classes, teachers, the review queue), `enrollments`,
`eligibility` (clashes, frequency warnings, age parameters), `attendance` (events, completion,
the landing pages' boards), `public` (the portal), `for_assessment`, `figures` (outcomes,
demand) and `risk` (the supervision risk scan's sources). Callers import the package."""
from __future__ import annotations

from jineng.training.selectors.attendance import *  # noqa: F403
from jineng.training.selectors.classes import *  # noqa: F403
from jineng.training.selectors.eligibility import *  # noqa: F403
from jineng.training.selectors.enrollments import *  # noqa: F403
from jineng.training.selectors.figures import *  # noqa: F403
from jineng.training.selectors.for_assessment import *  # noqa: F403
from jineng.training.selectors.public import *  # noqa: F403
from jineng.training.selectors.risk import *  # noqa: F403
