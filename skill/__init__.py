"""Our Check-In's web service: what runs in production. Developer tooling lives in ``skill.dev``,
which may import the service and is imported by nothing in it."""
