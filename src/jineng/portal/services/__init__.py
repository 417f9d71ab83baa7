"""Writes of the portal app, one module per sub-domain (search index, population and coverage,
placement proposals). One transaction each, audited."""
