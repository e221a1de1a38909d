"""Text to values with positions: reading files, JSON and YAML, limits, and the on-disk cache."""
