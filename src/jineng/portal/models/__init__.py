"""The portal's data, one module per sub-domain (search index, population and coverage)."""
from jineng.portal.models.coverage import (  # noqa: F401
    CoverageRun,
    PlacementProposal,
    PopulationArea,
    PopulationCount,
    PopulationFile,
    TravelSettings,
    TravelTime,
)
from jineng.portal.models.search import FullTextIndex, SearchDocument, SearchKind  # noqa: F401
