"""Each movie's rating count and average (kept by movies/stats.py), and the PostgreSQL extensions that title
search uses (pg_trgm for typos, unaccent for accents; nothing is created on SQLite)."""
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models


def fill_stats(apps, schema_editor):
    from movies.stats import refresh_stats

    refresh_stats()


class Migration(migrations.Migration):

    dependencies = [
        ("movies", "0002_wikipedia"),
    ]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.AddField(
            model_name="movie",
            name="mean_rating",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="movie",
            name="num_ratings",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="movie",
            index=models.Index(fields=["-num_ratings", "id"], name="movie_popularity_idx"),
        ),
        migrations.RunPython(fill_stats, migrations.RunPython.noop),
    ]
