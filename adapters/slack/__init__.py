"""Slack: the morning post, /paper, votes (Bolt, Socket Mode by default)."""
