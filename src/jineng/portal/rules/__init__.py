"""Pure rules of the public site: travel time, coverage, placement scoring (no Django)."""
