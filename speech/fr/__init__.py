"""French content (fr-FR base; fr-CA differences in speech/fr-CA.toml)."""
