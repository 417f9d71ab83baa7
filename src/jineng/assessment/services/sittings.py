"""sittings (being written)."""

__all__: list[str] = []
