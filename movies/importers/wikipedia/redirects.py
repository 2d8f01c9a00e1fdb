"""Redirect pages: which template names mean `Infobox film`, and link targets resolved to articles.

Article redirects can number in the millions, so they are resolved in the database, in staging
tables the final step fills (`wiki_redirect`, `wiki_link`); template redirects are few and resolved
here. Double redirects are followed a few hops, as far as MediaWiki's own fixing bots leave them.
"""
from collections.abc import Iterable

from movies.importers.wikipedia.titles import normalize_name
from movies.importers.wikipedia.wikitext import INFOBOX_FILM

MAX_HOPS = 3


def film_infoboxes(template_redirects: Iterable[tuple[str, str]]) -> set[str]:
    """Template names (without `Template:`) that are, or redirect to, `Infobox film`."""
    targets = {_template(source): _template(target) for source, target in template_redirects}
    names = {INFOBOX_FILM}
    for source in targets:
        name = source
        for _ in range(MAX_HOPS):
            name = targets.get(name)
            if name is None or name == INFOBOX_FILM:
                break
        if name == INFOBOX_FILM:
            names.add(source)
    return names


def _template(title: str) -> str:
    title = title.split("#", 1)[0]
    return normalize_name(title.split(":", 1)[1] if ":" in title else title)


def resolve_links(cursor) -> int:
    """Point each staged link through the staged redirects to the article; returns links changed."""
    changed = 0
    for _ in range(MAX_HOPS):
        cursor.execute("UPDATE wiki_link SET target = r.target FROM wiki_redirect r"
                       " WHERE wiki_link.target = r.source AND r.target <> r.source")
        if cursor.rowcount <= 0:
            break
        changed += cursor.rowcount
    return changed
