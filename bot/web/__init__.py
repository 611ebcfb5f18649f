"""The web pages the bot serves beside Slack's endpoints: the read-only opinion map of a pack,
opened with a signed, short-lived link."""
