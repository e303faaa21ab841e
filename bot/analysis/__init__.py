"""The LLM's answers: the reply models, validation, the deep analysis's input, and the Analyst that
writes, validates and caches each of them once."""
