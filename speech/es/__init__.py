"""Spanish (es-ES, es-MX, es-US): the content files (TOML) and the words module."""
