"""issuance (being written)."""

__all__: list[str] = []
