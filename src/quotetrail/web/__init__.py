"""The web pages: server-rendered HTML over the same queries as the API; no build step, nothing fetched."""
