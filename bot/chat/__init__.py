"""The conversation seam (`seam`) and what is written once on top of it for every platform: sending
a document exactly once (`outbox`), the morning post (`morning`), a paper's new version in its thread
(`versions`), the weekly recap (`recap`), the scheduled work (`jobs`), the commands (`desk`) and votes
(`votes`). A platform implements `seam.Conversation` and turns its payloads into calls of these."""
