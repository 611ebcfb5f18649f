"""Wolfpack: a Slack bot that keeps a team aligned."""
