"""German content (source locale de-DE): questions, validation, tips, FAQ and words."""
