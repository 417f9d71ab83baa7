"""Pure rules of assessment: routes to a level, 考培分离, scores, numbering, canonical
form and status lists. No Django."""
