"""The demand app's pages, one module per sub-domain."""
