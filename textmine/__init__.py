"""textmine."""
