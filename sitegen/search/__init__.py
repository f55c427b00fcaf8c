"""Search: tokenize (the one tokenizer), index (build the lunr index), query table."""
