"""Every write of the assessment app, one module per sub-domain: sittings (declaring and
reviewing, candidates, examiners), results (scores by page, Excel and API), issuance
(numbering, certificates, the class's "assessed" step, plans facts), signing (keys,
revocation), outside (certificates recorded from elsewhere, historical imports), records (the
worker's identity check). One transaction each, audited. The names re-exported here are the
public surface."""

from __future__ import annotations

from jineng.assessment.services.evaluator_codes import *  # noqa: F403
from jineng.assessment.services.issuance import *  # noqa: F403
from jineng.assessment.services.outside import *  # noqa: F403
from jineng.assessment.services.photos import *  # noqa: F403
from jineng.assessment.services.records import *  # noqa: F403
from jineng.assessment.services.results import *  # noqa: F403
from jineng.assessment.services.signing import *  # noqa: F403
from jineng.assessment.services.sittings import *  # noqa: F403
