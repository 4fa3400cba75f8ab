"""Domain services: take the session, add and flush; the request or CLI command commits."""
