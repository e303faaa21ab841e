"""The neutral document (`model`), what every message is built as (`analyses`, `chat`, `recap`,
`versions`), its fixed words per language (`labels`), and its Markdown rendering (`markdown`); the chat
platforms render it too."""
