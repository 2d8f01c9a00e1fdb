"""Ranked title search (movies/search.py): each movie's search key, a column the database computes from the title,
and a trigram index on it. On PostgreSQL the key comes from recsite_search_key(), an immutable SQL function (so a
generated column may call it): lower case, accents off (unaccent), a leading article off each title and
parenthesized alternative title (which become parts after a "|"), dots and apostrophes dropped, other punctuation
as spaces, "&" as "and", "a.k.a." dropped, roman numerals I–IX as digits (a word "I" too: both sides alike)."""
import movies.search
from django.db import migrations, models

# Not "x": "X-Men" must stay searchable as "xmen" by similarity.
ROMAN = [("i", "1"), ("ii", "2"), ("iii", "3"), ("iv", "4"), ("v", "5"), ("vi", "6"), ("vii", "7"), ("viii", "8"),
         ("ix", "9")]


def _function_sql():
    text = r"lower(public.unaccent('public.unaccent'::regdictionary, title))"
    text = rf"regexp_replace({text}, '\s*\(\s*', ' | ', 'g')"
    text = rf"regexp_replace({text}, '(^|\| )l[''’`](?=[[:alnum:]])', '\1', 'g')"
    text = rf"replace({text}, '&', ' and ')"
    text = rf"regexp_replace({text}, '[.''’`´]', '', 'g')"
    text = rf"regexp_replace({text}, '[^[:alnum:]%#$@+=|]+', ' ', 'g')"
    text = rf"regexp_replace({text}, '(^|\| ) *aka ', '\1', 'g')"
    text = rf"regexp_replace({text}, '(^|\| ) *(?:the|an?|les?|la|el|los|las|il) +(?=[^ |])', '\1', 'g')"
    for roman, digit in ROMAN:
        text = rf"regexp_replace({text}, '\m{roman}\M', '{digit}', 'g')"
    text = rf"btrim(regexp_replace({text}, '\s+', ' ', 'g'), ' |')"
    return ("CREATE OR REPLACE FUNCTION recsite_search_key(title text) RETURNS text "
            f"LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT {text} $$")


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_function_sql(), params=None)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS recsite_search_key(text)")


class Migration(migrations.Migration):

    dependencies = [
        ('movies', '0008_marks'),
    ]

    operations = [
        migrations.RunPython(create_function, drop_function, elidable=False),
        migrations.AddField(
            model_name='movie',
            name='search_key',
            field=models.GeneratedField(db_persist=True, expression=movies.search.SearchKey('title'), output_field=models.TextField()),
        ),
        migrations.AddIndex(
            model_name='movie',
            index=movies.search.TrigramIndex(fields=['search_key'], name='movie_search_key_trgm'),
        ),
    ]
