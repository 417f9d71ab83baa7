"""Subsidies and funds: rules with dated parameters, claims, budgets, payments, recoveries."""
