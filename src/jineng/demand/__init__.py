"""Demand and matching (岗位需求): training wishes by QR code, enterprises' quarterly demand lists,
the demand forecast catalog, matching wishes to classes, demands to institutions and trainees to
jobs, and wage guidance."""
