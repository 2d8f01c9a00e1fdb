"""Broken inputs: the job fails with a message naming the file, and the earlier films and links stay."""
import bz2

import pytest

from movies.models import ImportJob
from tests.movies.importers.wikipedia.conftest import links_snapshot, movies_snapshot, run_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def earlier(multistream):
    """An earlier import whose films and links must survive the failed one."""
    assert run_job(*multistream.files).status == ImportJob.Status.SUCCEEDED
    return movies_snapshot(), links_snapshot()


def assert_failed_and_intact(job, earlier, *words):
    assert job.status == ImportJob.Status.FAILED
    for word in words:
        assert word in job.error
    assert (movies_snapshot(), links_snapshot()) == earlier


def test_truncated_bz2_fails_naming_the_file(tmp_path, multistream, earlier):
    data = multistream.files[0].read_bytes()
    cut = tmp_path / "enwiki-cut.xml.bz2"
    cut.write_bytes(data[: len(data) // 2])

    assert_failed_and_intact(run_job(cut), earlier, str(cut), "truncated")


def test_truncated_plain_xml_fails(tmp_path, earlier):
    from synthetic.wikipedia import generate_dump

    xml = generate_dump(tmp_path / "x", articles=100, layout="xml").files[0]
    xml.write_bytes(xml.read_bytes()[:-5000])

    assert_failed_and_intact(run_job(xml), earlier, str(xml))


def test_malformed_xml_fails(tmp_path, earlier):
    from synthetic.wikipedia import generate_dump

    xml = generate_dump(tmp_path / "x", articles=100, layout="xml").files[0]
    text = xml.read_bytes()
    xml.write_bytes(text.replace(b"</page>", b"", 3))

    assert_failed_and_intact(run_job(xml), earlier, str(xml), "malformed")


def test_garbage_between_pages_fails(tmp_path, earlier):
    from synthetic.wikipedia import generate_dump

    xml = generate_dump(tmp_path / "x", articles=100, layout="xml").files[0]
    xml.write_bytes(xml.read_bytes().replace(b"</page>\n", b"</page>\n<oops>not a page</oops>\n", 1))

    assert_failed_and_intact(run_job(xml), earlier, str(xml), "unexpected text")


def test_a_page_without_id_fails_naming_the_file(tmp_path, earlier):
    from synthetic.wikipedia import generate_dump

    xml = generate_dump(tmp_path / "x", articles=100, layout="xml").files[0]
    text = xml.read_bytes()
    xml.write_bytes(text.replace(b"<ns>0</ns>", b"<ns>zero</ns>", 1))

    assert_failed_and_intact(run_job(xml), earlier, str(xml), "malformed page")


@pytest.mark.parametrize("content", [b"<html><body>Not found</body></html>\n", b"just some text\n",
                                     bz2.compress(b"id,title\n1,Heat\n")])
def test_a_file_that_is_not_a_dump_fails(tmp_path, earlier, content):
    path = tmp_path / "enwiki-latest-pages-articles.xml.bz2"
    path.write_bytes(content)

    assert_failed_and_intact(run_job(path), earlier, str(path), "dump")


def test_a_missing_file_fails(tmp_path, earlier):
    assert_failed_and_intact(run_job(tmp_path / "nothing.xml.bz2"), earlier, "nothing.xml.bz2", "no such file")


def test_an_index_of_another_dump_fails(tmp_path, multistream, earlier):
    from synthetic.wikipedia import generate_dump

    other = generate_dump(tmp_path / "other", articles=600, seed=9)
    data, index = multistream.files[0], other.files[1]

    assert_failed_and_intact(run_job(data, index), earlier, "index does not fit")


def test_an_index_with_shifted_offsets_fails(tmp_path, multistream, earlier):
    data, index = multistream.files
    lines = bz2.decompress(index.read_bytes()).decode().splitlines()
    shifted = [f"{int(offset) + 3}:{rest}" for offset, rest in (line.split(":", 1) for line in lines)]
    index.write_bytes(bz2.compress(("\n".join(shifted) + "\n").encode()))

    assert_failed_and_intact(run_job(data, index), earlier, str(index), "does not fit")


def test_an_index_that_is_not_an_index_fails_naming_its_line(tmp_path, multistream, earlier):
    data, index = multistream.files
    index.write_bytes(bz2.compress(b"12:1:Title\nhello world\n"))

    assert_failed_and_intact(run_job(data, index), earlier, str(index), "line 2")


def test_an_index_naming_the_wrong_pages_fails(tmp_path, multistream, earlier):
    data, index = multistream.files
    lines = bz2.decompress(index.read_bytes()).decode().splitlines()
    wrong = [f"{offset}:{int(page) + 1}:{title}" for offset, page, title in (line.split(":", 2) for line in lines)]
    index.write_bytes(bz2.compress(("\n".join(wrong) + "\n").encode()))

    assert_failed_and_intact(run_job(data, index, part_bytes=4000), earlier, str(data), "index does not fit")
