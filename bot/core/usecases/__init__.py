"""The use cases: one module per feature, one public function per user action.

Each takes the `Workspace` the request belongs to, does its database work in one unit of work
bound to that workspace, and makes its Slack calls after the commit (directly, or in the
`Done.after` work that the adapter runs once the person has their answer).
"""
