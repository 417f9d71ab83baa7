"""The subsidy rules: pure functions over plain data (no Django). `types` is the interface the
subsidy app codes against; `engine.evaluate` decides one claim, `parameters` loads and resolves the
dated, region-scoped parameter sets."""
