"""The portal's pages, one module per sub-domain."""
