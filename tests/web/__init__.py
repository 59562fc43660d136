"""Web workplace tests: the pages are served from the package, and (with Debian chromium) real-browser
tests of the login, the agent desk and the supervisor wallboard against the whole server."""
