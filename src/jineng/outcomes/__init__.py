"""Outcomes and quality: social-insurance contribution records, business registrations, record
linkage, outcome measures per trainee, Henan's five indicators and scorecards (docs/outcomes.md)."""
