"""API tokens for organisations' systems (department record submission; later partners)."""
