"""Pure policy rules of the training app (no Django): lifecycle, eligibility and the
statutory retirement age, attendance and completion, xAPI statements."""
