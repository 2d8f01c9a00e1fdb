"""Pages of the site, one module each: thin views over web.selectors, ml.serving.recommendations and movies.ratings."""
