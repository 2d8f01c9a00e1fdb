"""Generated test data, in the formats the importers read: MovieLens releases with planted taste groups
(movielens.py), releases shaped like ml-25m at any size for the import benchmark (large_release.py), and Wikipedia
dumps (wikipedia.py). Plain Python and numpy: no Django, so a benchmark may use it before setting Django up."""
