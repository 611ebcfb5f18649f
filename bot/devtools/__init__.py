"""Tools for developing and demonstrating Wolfpack without a Slack workspace: a fake Slack Web
API, a simulator of the requests Slack sends, and the offline demo.

No product module imports this package; only the command line's `wolfpack demo` does, lazily."""
