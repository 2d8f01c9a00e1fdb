"""Write a synthetic MovieLens dataset with planted taste groups: ``manage.py generate_movielens OUT``."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from synthetic.movielens import FILES, FORMATS, generate_dataset


class Command(BaseCommand):
    help = "Write synthetic MovieLens-format files (csv, dat or 100k layout) with planted taste groups into OUT."

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="Folder to write the files into (created if missing).")
        parser.add_argument("--format", choices=FORMATS, default="csv",
                            help="csv: ml-latest-small/ml-25m, dat: ml-10m, 100k: ml-100k (default csv).")
        parser.add_argument("--users", type=int, default=60)
        parser.add_argument("--movies", type=int, default=120)
        parser.add_argument("--ratings-per-user", type=int, default=25)
        parser.add_argument("--groups", type=int, default=4)
        parser.add_argument("--tags-per-user", type=int, default=1)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--name", default="synthetic", help="Dataset name written into the csv README.")

    def handle(self, *args, **options):
        try:
            dataset = generate_dataset(
                options["out"], format=options["format"], n_users=options["users"], n_movies=options["movies"],
                n_groups=options["groups"], ratings_per_user=options["ratings_per_user"],
                tags_per_user=options["tags_per_user"], seed=options["seed"], name=options["name"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {dataset.n_ratings} ratings by {dataset.n_users} users of {dataset.n_movies} movies "
            f"({dataset.format}, {options['groups']} taste groups, seed {options['seed']}) to {dataset.path}:"
        ))
        for filename in FILES[dataset.format]:
            self.stdout.write(f"  {filename} ({(dataset.path / filename).stat().st_size} bytes)")
