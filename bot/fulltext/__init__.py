"""A paper's full text: fetch (HTML, then PDF), extract into sections, fit a token budget.

`fetch` downloads and picks the extractor (`html`, `pdf`); both produce a
`document.FullText`; `budget.fit` chooses what of it the model sees. This file
imports nothing on purpose: the store needs `document` without loading pypdf.
"""
