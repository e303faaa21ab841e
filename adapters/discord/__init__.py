"""Discord: the morning post, /paper, /mustread and reaction votes (discord.py)."""
