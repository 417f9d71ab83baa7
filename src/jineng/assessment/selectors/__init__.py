"""Every read of the assessment app, one module per sub-domain, each starting from
`Model.objects.visible_to(actor)` (verification and the public status list are the public
reads)."""
from __future__ import annotations

from jineng.assessment.selectors.issuance import *  # noqa: F403
from jineng.assessment.selectors.outside import *  # noqa: F403
from jineng.assessment.selectors.records import *  # noqa: F403
from jineng.assessment.selectors.results import *  # noqa: F403
from jineng.assessment.selectors.signing import *  # noqa: F403
from jineng.assessment.selectors.sittings import *  # noqa: F403
