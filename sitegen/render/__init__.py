"""Render: the Jinja environment, the site's page plan, Markdown without raw HTML."""
