"""A film from both IMDb's datasets and a saved page is one film, with the page's links and the datasets' credits."""

import gzip

from reelgraph.model import merge_graphs
from reelgraph.loaders import read_partitions, read_sources
from reelgraph.loaders.sample import SAMPLE_DIR

SEED = SAMPLE_DIR / "pages" / "never-let-me-go.imdb.txt"

FILES = {
    "title.basics": ["tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres",
                     "tt1334260\tmovie\tNever Let Me Go\tNever Let Me Go\t0\t2010\t\\N\t103\tDrama,Romance,Sci-Fi",
                     "tt0414387\tmovie\tPride & Prejudice\tPride & Prejudice\t0\t2005\t\\N\t129\tDrama,Romance"],
    "title.ratings": ["tconst\taverageRating\tnumVotes", "tt1334260\t7.2\t145000", "tt0414387\t7.8\t330000"],
    "title.principals": ["tconst\tordering\tnconst\tcategory\tjob\tcharacters",
                         'tt1334260\t1\tnm0461136\tactress\t\\N\t["Ruth"]',
                         'tt1334260\t2\tnm1659547\tactress\t\\N\t["Kathy"]',
                         'tt1334260\t3\tnm0000001\tactor\t\\N\t["Somebody"]',
                         'tt0414387\t1\tnm0461136\tactress\t\\N\t["Elizabeth Bennet"]',
                         'tt0414387\t2\tnm1659547\tactress\t\\N\t["Kitty Bennet"]'],
    "name.basics": ["nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles",
                    "nm0461136\tKeira Knightley\t1985\t\\N\tactress\ttt0414387",
                    "nm1659547\tCarey Mulligan\t1985\t\\N\tactress\ttt1174732",
                    "nm0000001\tSomebody Else\t1970\t\\N\tactor\ttt1334260"],
}


def _folder(tmp_path):
    folder = tmp_path / "imdb"
    folder.mkdir()
    for stem, lines in FILES.items():
        with gzip.open(folder / f"{stem}.tsv.gz", "wt", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    return folder


def test_one_film_with_links_from_the_page_and_credits_from_the_datasets(tmp_path):
    graph = read_sources([_folder(tmp_path), SEED], progress=False)
    films = graph.films.set_index("id")
    assert list(films.index).count("tt1334260") == 1
    film = films.loc["tt1334260"]
    # The page is the richer row: its rating wins; the datasets' genres join the page's.
    assert (film["title"], film["year"], film["rating"]) == ("Never Let Me Go", 2010, 7.1)
    # "Pride & Prejudice" on the page's "More like this" list is the datasets' tt0414387.
    links = graph.similar[graph.similar.film_id == "tt1334260"].set_index("rank")["similar_id"]
    assert links[11] == "tt0414387"
    # Keira Knightley from the page (a name) and from the datasets (nm0461136) are one person.
    people = graph.people.set_index("id")
    assert people.loc["nm0461136", "name"] == "Keira Knightley"
    assert "name:keira-knightley" not in people.index
    credits = graph.credits[graph.credits.film_id == "tt1334260"]
    keira = credits[credits.person_id == "nm0461136"].iloc[0]
    assert (keira["role"], keira["characters"], keira["billing"]) == ("actor", ["Ruth"], 1)
    # The datasets' extra principal is there too, beside the page's cast of 18.
    assert "nm0000001" in set(credits.person_id)
    assert len(credits[credits.role == "actor"]) == 19


def test_sources_keep_their_own_keys(tmp_path):
    folder = _folder(tmp_path)
    parts, sources = read_partitions([folder, SEED], progress=False)
    assert list(parts) == ["imdb-datasets", "page:tt1334260:text"]  # a copied page: beside its saved HTML, never replacing it
    assert sources["imdb-datasets"] == [str(folder.resolve())]
    assert merge_graphs(*parts.values()).counts() == read_sources([folder, SEED], progress=False).counts()
