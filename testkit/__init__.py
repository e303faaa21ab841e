"""The outside world, faked for tests and benchmarks: loopback servers for arXiv, an OpenAI-compatible
LLM, Slack and Discord (each driven by the real client library), generated papers, and sample data.

Installed with the project (`pip install -e .`) so that `bench/` imports it as it is, with no
path tricks; nothing in `bot/`, `adapters/` or `paperbot/` imports it.
"""
