"""Pure rules of the demand app: forecast, matching scores, wage percentiles (no Django)."""
