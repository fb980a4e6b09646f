"""English: the content files (TOML) and the words module."""
