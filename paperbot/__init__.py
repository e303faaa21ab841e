"""The composition root: the `paperbot` command, which builds the one engine and starts the platforms.

`bot/` is the platform-neutral core and `adapters/` the platforms; this package
is the only place that knows both.
"""
