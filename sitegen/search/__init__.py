"""Search: tokenize (the one tokenizer), index (lunr scores and shards), query (the
reference query, mirrored by static/search.js), publish (the site's search files)."""
