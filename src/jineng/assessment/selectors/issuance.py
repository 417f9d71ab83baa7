"""issuance reads (being written)."""

__all__: list[str] = []
