"""Pages of the site, one module each: thin views over web.selectors, ml.recommendations and movies.ratings."""
