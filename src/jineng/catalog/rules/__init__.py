"""Pure catalog rules: periods and versions, entry values, overlaps and contradictions, diffs,
and who may do what. No Django imports (checked by import-linter); problems are returned as
codes with parameters, and `catalog.messages` turns them into translated sentences."""
