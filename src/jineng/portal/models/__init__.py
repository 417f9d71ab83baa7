"""The portal's data, one module per sub-domain (search index, population and coverage)."""
