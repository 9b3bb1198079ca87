"""One site pipeline for every builder: options, sources (with every guard), the build of every
page, the dashboard and the JSON, and what the Markdown extension does to each page. Free of
MkDocs: the MkDocs plugin and ``specplan build`` are thin adapters over it."""
