"""The final step refuses to run on an incomplete set of part results."""
import pytest

from movies.importers.errors import ImportFailed
from movies.importers.wikipedia.parse import parse_part
from movies.importers.wikipedia.store import finish
from movies.models import Movie

pytestmark = pytest.mark.django_db


def test_missing_part_results_fail_the_final_step_and_write_nothing(multistream, tmp_path):
    from movies.importers.wikipedia.importer import plan

    parts = plan([str(path) for path in multistream.files], part_bytes=4000)
    for number, part in enumerate(parts[:-1]):  # the last part's worker wrote elsewhere
        parse_part(part, tmp_path / "results", number)

    with pytest.raises(ImportFailed, match="results of 1 of .* parts are missing: do all workers share DATA_DIR"):
        finish(tmp_path / "results", parts=len(parts), common_link_share=0.2)
    assert not Movie.objects.exists()
