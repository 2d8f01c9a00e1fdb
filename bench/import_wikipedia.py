"""Benchmark of the Wikipedia dump reader (movies/importers/wikipedia/) against the issue's three bars.

    .venv/bin/python -m bench.import_wikipedia [--articles N] [--quick] [--repeat R] [--out FILE]

On a generated dump (synthetic/wikipedia.py: ≥ 200 MB of XML, 2.5% films, written once as a
single-stream `.xml.bz2` and as a multistream `.xml.bz2` with its index, kept under bench/work/),
one run measures side by side, each R times (best run reported, all runs listed):

- `bzip2 -dc FILE > /dev/null` on both files: the floor;
- one worker (`parse.parse_part`) on the single-stream file, and on the multistream file's parts;
- the seed's approach, every page's wikitext through mwparserfromhell (`parse`, `filter_templates(
  matches="Infobox film")`, `filter_wikilinks` on matches), pages split by the same fast scanner (which
  only flatters the seed); timed on the first --sample-mb of XML and extrapolated by bytes;
- the multistream file's parts (about 16) over a pool of 1 process, then of 2;
- as a control of what the (shared) machine gives two processes at that moment, two `bzip2 -dc` at once
  (listed per copy: half the wall time of the pair).

Then (unless --no-import) the whole import, `manage.py import_wikipedia` on the multistream file, into
a freshly migrated scratch PostgreSQL database (BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432),
twice (the second run is the re-import), with its wall time and peak RSS, and the films (with their
articles' lead and infobox facts) and links it wrote compared with the generator's expectation.

Bars: one worker ≥ 50% of `bzip2 -dc`'s throughput on the same file; ≥ 5× faster than mwparserfromhell;
two workers ≥ 1.6× one. Throughput is bytes of XML per second of wall time.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from bench.report import REPO, machine
from movies.importers.wikipedia import dump
from movies.importers.wikipedia.multistream import multistream_parts
from movies.importers.wikipedia.parse import parse_part
from synthetic.wikipedia import generate_dump

WORK = REPO / "bench" / "work" / "wikipedia"
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
SCRATCH_DB = "bench_wikipedia"
SHARE = 0.2
MIN_FILMS = 10  # WIKIPEDIA_COMMON_LINK_MIN_FILMS' default
RESULTS = REPO / "bench" / "results" / "import_wikipedia.md"


def generated(articles: int) -> dict:
    """The dump's files and facts, generated once per size and reused."""
    folder = WORK / f"articles-{articles}"
    facts_file = folder / "facts.json"
    if facts_file.exists():
        return json.loads(facts_file.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    made = generate_dump(folder, articles=articles, film_share=0.025, filler=4, layout=("xml", "bz2", "multistream"),
                         seed=2026, name="enwiki-bench-pages-articles")
    xml, single, multi, index = made.files
    facts = {"xml": str(xml), "single": str(single), "multi": str(multi), "index": str(index),
             "xml_bytes": xml.stat().st_size, "single_bytes": single.stat().st_size,
             "multi_bytes": multi.stat().st_size, "pages": made.pages, "articles": made.articles,
             "films": len(made.films), "redirects": made.redirects,
             "generated_s": round(time.perf_counter() - started, 1)}
    xml.unlink()  # only its size is needed
    facts_file.write_text(json.dumps(facts))
    return facts


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def bzip2(path: str, copies: int = 1) -> None:
    """`bzip2 -dc` on the file, `copies` of them at once (2: what this machine's two cores give now)."""
    subprocess.run(" & ".join([f"bzip2 -dc '{path}' > /dev/null"] * copies) + "; wait", shell=True, check=True)


def one_worker(part: dump.Part, out: Path) -> dict:
    return parse_part(part, out, 0)


def _parse_numbered(args) -> dict:
    part, out, number = args
    return parse_part(part, out, number)


def pool(parts: list[dump.Part], out: Path, workers: int) -> int:
    with ProcessPoolExecutor(max_workers=workers) as executor:
        return sum(counts["pages"] for counts in executor.map(_parse_numbered, [(p, out, n) for n, p in
                                                                                 enumerate(parts)]))


def seed_way(path: str, sample_bytes: int) -> tuple[float, int, int]:
    """mwparserfromhell on every page of the first sample_bytes of XML: (seconds, XML bytes, films)."""
    import mwparserfromhell

    started, done, films = time.perf_counter(), 0, 0
    for raw in dump.scan_pages(dump.Part(path, "bz2")):
        done += len(raw)
        if dump.namespace(raw) == 0 and dump.redirect_target(raw) is None:
            code = mwparserfromhell.parse(dump.text(raw))
            if code.filter_templates(matches="Infobox film"):
                films += 1
                code.filter_wikilinks()
        if done >= sample_bytes:
            break
    return time.perf_counter() - started, done, films


def whole_import(facts: dict) -> list[str]:
    """Import the multistream file twice into a scratch database; check it against the expectation."""
    import psycopg2

    admin = psycopg2.connect(f"{SERVER}/postgres")
    admin.autocommit = True
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {SCRATCH_DB}")
    admin.cursor().execute(f"CREATE DATABASE {SCRATCH_DB}")
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{SCRATCH_DB}", "DATA_DIR": str(WORK / "data")}
    manage = [sys.executable, str(REPO / "manage.py")]
    lines = []
    try:
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        for name in ("first import", "re-import"):
            seconds, done = timed(subprocess.run, ["/usr/bin/time", "-f", "PEAK_RSS_KB %M", *manage,
                                                   "import_wikipedia", facts["multi"], "-v0",
                                                   "--common-link-share", str(SHARE),
                                                   "--common-link-min-films", str(MIN_FILMS)],
                                  env=env, capture_output=True, text=True)
            peak = int(done.stderr.rsplit("PEAK_RSS_KB", 1)[1])
            summary = (done.stdout.strip() or done.stderr.strip()[-300:]).split("(", 1)[-1].rstrip(")")
            lines.append(f"| {name} | {seconds:.1f} s | {peak / 1024:.0f} MB | {summary} |")
        connection = psycopg2.connect(f"{SERVER}/{SCRATCH_DB}")
        with connection, connection.cursor() as cursor:  # psycopg2's "with" ends the transaction, not the connection
            cursor.execute("SELECT m.wikipedia_page_id, m.wikipedia_title, m.year, m.directors::text, m.imdb_id,"
                           " l.target FROM movies_movie m LEFT JOIN movies_wikilink l ON l.movie_id = m.id")
            got: dict[int, dict] = {}
            for page, title, year, directors, imdb_id, target in cursor.fetchall():
                film = got.setdefault(page, {"title": title, "year": year, "directors": json.loads(directors),
                                             "imdb_id": imdb_id, "links": set()})
                if target:
                    film["links"].add(target)
            cursor.execute("SELECT m.wikipedia_page_id, a.lead, a.starring::text, a.runtime_minutes, a.countries::text,"
                           " a.languages::text, a.release_date FROM movies_moviearticle a"
                           " JOIN movies_movie m ON m.id = a.movie_id")
            for page, lead, starring, minutes, countries, languages, released in cursor.fetchall():
                got[page]["article"] = {"lead": lead, "starring": json.loads(starring), "runtime_minutes": minutes,
                                        "countries": json.loads(countries), "languages": json.loads(languages),
                                        "release_date": released.isoformat() if released else None}
        connection.close()
        expected_file = Path(facts["multi"]).parent / "enwiki-bench-pages-articles.expected.json"
        expected = {int(page): film for page, film in json.loads(expected_file.read_text()).items()}
        frequency: dict[str, int] = {}
        for film in expected.values():
            for target in film["links"]:
                frequency[target] = frequency.get(target, 0) + 1
        common = {target for target, count in frequency.items()
                  if count > SHARE * len(expected) and count >= MIN_FILMS}
        want = {page: {**film, "links": set(film["links"]) - common} for page, film in expected.items()}
        lines.append("")
        lines.append(f"Films and links in the database equal the generator's expectation: **{got == want}** "
                     f"({len(got):,} films, {sum(len(f['links']) for f in got.values()):,} links; "
                     f"dropped as too common: {', '.join(sorted(common))}).")
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {SCRATCH_DB}")
        admin.close()
        shutil.rmtree(WORK / "data", ignore_errors=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=88_000)
    parser.add_argument("--quick", action="store_true", help="8,000 articles; report under bench/work/")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--sample-mb", type=float, default=12)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--no-import", action="store_true", help="skip the whole import into PostgreSQL")
    args = parser.parse_args()
    articles = 8_000 if args.quick else args.articles
    out_path = args.out or (WORK / "import_wikipedia-quick.md" if args.quick else RESULTS)
    host, started_at = machine(), datetime.now(UTC)
    facts = generated(articles)
    scratch = WORK / "parts"
    single = dump.Part(facts["single"], "bz2", label=facts["single"])
    parts = multistream_parts(Path(facts["multi"]), Path(facts["index"]), part_bytes=facts["multi_bytes"] // 16 + 1)

    runs: dict[str, list[float]] = {}

    cpu: dict[str, list[float]] = {}

    def measure(name, function, *fargs):
        shutil.rmtree(scratch, ignore_errors=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds, result = timed(function, *fargs)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs.setdefault(name, []).append(seconds)
        cpu.setdefault(name, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        print(f"{name}: {seconds:.2f} s (load {os.getloadavg()[0]:.1f})", flush=True)
        return result

    for _ in range(args.repeat):  # interleaved, so that the machine's noise spreads over all of them
        measure("bzip2 -dc, single-stream", bzip2, facts["single"])
        counts = measure("one worker, single-stream", one_worker, single, scratch)
        measure("bzip2 -dc, multistream", bzip2, facts["multi"])
        measure("one worker, multistream (1-process pool)", pool, parts, scratch, 1)
        measure("two workers, multistream (2-process pool)", pool, parts, scratch, 2)
        measure("two `bzip2 -dc` of the multistream file at once (control)", bzip2, facts["multi"], 2)
    seed_s, seed_bytes, seed_films = seed_way(facts["single"], int(args.sample_mb * 1024**2))
    shutil.rmtree(scratch, ignore_errors=True)
    imports = [] if args.no_import else whole_import(facts)

    runs["two `bzip2 -dc` of the multistream file at once (control)"] = [
        seconds / 2 for seconds in runs["two `bzip2 -dc` of the multistream file at once (control)"]]
    best = {name: min(times) for name, times in runs.items()}
    mb = facts["xml_bytes"] / 1024**2
    rate = {name: mb / seconds for name, seconds in best.items()}
    seed_rate = seed_bytes / 1024**2 / seed_s
    ours = rate["one worker, single-stream"]
    bars = [
        ("one worker ≥ 50% of `bzip2 -dc` (single-stream file)", ours / rate["bzip2 -dc, single-stream"], 0.5),
        ("one worker ≥ 50% of `bzip2 -dc` (multistream file)",
         rate["one worker, multistream (1-process pool)"] / rate["bzip2 -dc, multistream"], 0.5),
        ("one worker ≥ 5× mwparserfromhell on every page", ours / seed_rate, 5.0),
        ("two workers ≥ 1.6× one (multistream)", rate["two workers, multistream (2-process pool)"]
         / rate["one worker, multistream (1-process pool)"], 1.6),
    ]
    control = rate["two `bzip2 -dc` of the multistream file at once (control)"] / rate["bzip2 -dc, multistream"]
    pool_cpu = {workers: min(cpu[f"{name}, multistream ({workers}-process pool)"])
                for workers, name in ((1, "one worker"), (2, "two workers"))}
    lines = [
        "# Wikipedia dump reader benchmark", "",
        f"- Date: {started_at:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {host}; load average (1 min) at the end {os.getloadavg()[0]:.2f}",
        f"- Command: `.venv/bin/python -m bench.import_wikipedia{' --quick' if args.quick else ''}`"
        f" (best of {args.repeat} interleaved runs)",
        f"- Dump (generated by `synthetic/wikipedia.py`, seed 2026, in {facts['generated_s']} s): "
        f"{mb:.1f} MB of XML; {facts['single_bytes'] / 1024**2:.1f} MB single-stream bz2, "
        f"{facts['multi_bytes'] / 1024**2:.1f} MB multistream ({len(parts)} parts); {facts['pages']:,} pages, "
        f"{facts['articles']:,} articles, {facts['films']:,} films ({facts['films'] / facts['articles']:.1%}), "
        f"{facts['redirects']:,} redirects. One worker read {counts['pages']:,} pages and "
        f"{counts['candidates']:,} candidate films (films plus `Infobox film awards` and the like).",
        "", "## Against the bars", "", "| bar | measured | |", "|---|---|---|",
        *(f"| {name} | {value:.2f}× | {'PASS' if value >= bar else 'FAIL'} |" for name, value, bar in bars),
        "", f"Control, same run: two `bzip2 -dc` at once decompress {control:.2f}× as fast as one, the most two "
        f"processes could get from this machine then. CPU time of the pool's processes: {pool_cpu[1]:.1f} s with "
        f"one, {pool_cpu[2]:.1f} s with two (the work does not grow when split).",
        "", "## Measurements", "", "| what | best wall time | MB of XML / s | × `bzip2 -dc` single-stream | runs (s) |",
        "|---|---|---|---|---|",
        *(f"| {name} | {best[name]:.2f} s | {rate[name]:.1f} | {rate[name] / rate['bzip2 -dc, single-stream']:.2f}"
          f" | {', '.join(f'{t:.2f}' for t in times)} |" for name, times in runs.items()),
        f"| mwparserfromhell on every page (first {seed_bytes / 1024**2:.1f} MB of XML, {seed_films} films) | "
        f"{seed_s:.2f} s for the sample, ≈ {mb / seed_rate:.0f} s for the dump (extrapolated) | {seed_rate:.2f} | "
        f"{seed_rate / rate['bzip2 -dc, single-stream']:.2f} | 1 run |",
        "", "The machine is shared (2 cores, other work running): read the ratios, measured in the same run, "
        "rather than the absolute times.", "",
    ]
    if imports:
        lines += ["## The whole import (PostgreSQL, `manage.py import_wikipedia` on the multistream file)", "",
                  "| run | wall time | peak RSS | counts |", "|---|---|---|---|", *imports, ""]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
