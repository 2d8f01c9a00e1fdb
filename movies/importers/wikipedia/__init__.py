"""Import of the English Wikipedia's pages-articles dump: films, their links, and the join to MovieLens."""
