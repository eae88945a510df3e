"""IMDb credits: which reelgraph role each credit category is, and the credits of a page's lists.

IMDb names every credit category twice: by a stable id
(``amzn1.imdb.concept.name_credit_category.<uuid>``, or
``...name_credit_group.<uuid>`` for the groupings "Cast", "Stars" and
"Creator") and by a heading in the reader's language ("Directors",
"Réalisation", "Writing Credits", ...).  :func:`credit_role` maps a category
to reelgraph's role by its id first, so a translated or renamed heading still
maps, then by its heading (:data:`CREDIT_CATEGORIES` names, then word rules
for headings no table knows).

Roles follow the vocabulary of IMDb's datasets (``title.principals``
categories: ``actor`` for actors and actresses, ``director``, ``writer``,
``producer``, ``composer``, ``cinematographer``, ``editor``, ``self``,
``casting_director``, ``production_designer``, ...), so a credit read from
a page and the same credit read from the datasets fold into one.

Provenance of the ids in :data:`CREDIT_CATEGORIES`: the director, writer
and cast ids are the anchors of a real ``/fullcredits/`` page (2025); every
id is the same in two independent public readers of IMDb's pages (the
``imdbinfo`` parser's category table and an Android client's
``CreditCategory`` enum), and the cinematographer id also appears in a
captured IMDb GraphQL answer next to the heading "Cinematographer".  The
groups "Stars" and "Creator" are the constants of IMDb's own page script.

:func:`read_categories` reads the ``categories[]`` of a ``/reference`` or
``/fullcredits/`` page: each ``{id, name, section: {items[], total}}``, and
reports the categories the saved page shows only part of
(``len(items) < total``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reelgraph.model import is_imdb_person_id, person_key
from reelgraph.loaders._graphql import get, nodes, text, to_int

__all__ = [
    "CREDIT_CATEGORIES",
    "credit_role",
    "read_categories",
    "Credit",
    "Credits",
    "person_of",
    "person_key_of",
    "characters_of",
    "job_of",
    "join_jobs",
    "NAME_ID",
]

#: An IMDb person link (``/name/nm.../``).
NAME_ID = re.compile(r"/name/(nm\d{7,})")

_CATEGORY_PREFIX = "amzn1.imdb.concept.name_credit_category."
_GROUP_PREFIX = "amzn1.imdb.concept.name_credit_group."

#: IMDb credit category -> reelgraph role: ``(id, role, job, English headings)``.
#: The id is the uuid after :data:`_CATEGORY_PREFIX` (or :data:`_GROUP_PREFIX`
#: for the three groupings marked ``group:``); the headings (lower case) map
#: the category when a page gives no id.
CREDIT_CATEGORIES = (
    ("a9ab2a8b-9153-4edb-a27a-7c2346830d77", "actor", None, ("actor", "actors")),
    ("7f6d81aa-23aa-4503-844d-38201eb08761", "actor", None, ("actress", "actresses")),
    ("group:7caf7d16-5db9-4f4f-8864-d4c6e711c686", "actor", None, ("cast", "series cast", "cast (in credits order)")),
    ("group:7510356e-fde9-438e-b3ad-0099ba6bc8ce", "actor", None, ("star", "stars")),
    ("d6017bdb-c3e7-4ca5-944b-68d74b9de6b6", "self", None, ("self", "selves")),
    ("ace5cb4c-8708-4238-9542-04641e7c8171", "director", None, ("director", "directors", "directed by", "series directed by")),
    ("c84ecaff-add5-4f2e-81db-102a41881fe3", "writer", None, ("writer", "writers", "writing credits", "written by",
                                                              "series writing credits")),
    ("group:85198717-6c2d-481e-93a5-47858774bcce", "writer", "creator", ("creator", "creators", "created by")),
    ("0af123ce-1605-4a51-93cf-7ad477b11832", "producer", None, ("producer", "producers", "produced by",
                                                                "series produced by")),
    ("00f5faa0-5f76-4eb5-87a1-ec8d484d1779", "composer", None, ("composer", "composers", "music by", "original music by",
                                                                "series music by")),
    ("e2bf7217-c947-461b-aa58-47e27da1c78e", "cinematographer", None, ("cinematographer", "cinematographers",
                                                                       "cinematography by", "director of photography")),
    ("63b1f9c6-9d3b-4be6-88fc-6321c9fa5ae2", "editor", None, ("editor", "editors", "film editing by", "editing by")),
    ("67b6990c-f7de-4882-916b-dad87ec4406a", "casting_director", None, ("casting director", "casting directors",
                                                                        "casting by")),
    ("ce558628-5755-438c-92d7-757518864a00", "production_designer", None, ("production designer", "production designers",
                                                                           "production design by")),
    ("60a44752-af76-44f7-9de0-ec51aea2180d", "art_director", None, ("art director", "art directors", "art direction by")),
    ("359a8a76-1c15-4fd1-bd31-26c7e2a046f8", "set_decorator", None, ("set decorator", "set decorators",
                                                                     "set decoration by")),
    ("a2d21716-45de-40e2-9f7d-9de01fc34a71", "costume_designer", None, ("costume designer", "costume designers",
                                                                        "costume design by")),
    ("306aa45f-30d6-4786-a7f9-b3103ebca806", "assistant_director", None, (
        "assistant director", "assistant directors", "second unit director or assistant director",
        "second unit directors or assistant directors")),
    ("4cdb8a99-4f08-4cfe-9db5-ee31f23f7db3", "showrunner", None, ("showrunner", "showrunners")),
    ("73ffe317-963e-4c19-b4fd-54a9a596c959", "choreographer", None, ("choreographer", "choreographers")),
    ("7a3df188-0e65-41f9-a15e-1c363c7093eb", "music_supervisor", None, ("music supervisor", "music supervisors")),
    ("15403c03-b2d7-46b6-9c57-058f1659fd14", "script_supervisor", None, ("script supervisor", "script supervisors")),
    ("15c98c24-1815-4935-a958-ed747aeffee4", "stunt_coordinator", None, ("stunt coordinator", "stunt coordinators")),
    ("44d5f7aa-fe79-46e8-a72a-0f861c37bfff", "animation_department", None, ("animation department",)),
    ("d782ea94-18fe-4513-a71c-7cdd652ef2d8", "art_department", None, ("art department",)),
    ("daf5bc70-1a41-413b-af5a-af1e285bf049", "camera_department", None, ("camera and electrical department",
                                                                          "camera department")),
    ("5c60f6fa-29f1-40a4-8fe5-b4c26a6a7db4", "casting_department", None, ("casting department",)),
    ("19e9f38d-89a0-4963-91c1-e3958f1d4534", "costume_department", None, ("costume and wardrobe department",
                                                                          "costume department")),
    ("2677b7dc-373c-41d1-8b13-7bdc171ca372", "editorial_department", None, ("editorial department",)),
    ("7f9c1f9d-8d79-461b-8b1e-31aecbc810fb", "electrical_department", None, ("electrical department",)),
    ("95338d09-b2a1-4188-ac9f-55f5255bb437", "location_management", None, ("location management",)),
    ("c3f25a53-cdb2-4260-ab78-1ef0a6052ee1", "make_up_department", None, ("makeup department", "make up department")),
    ("aad1533c-6974-45a4-ba98-5f2f43286cfc", "music_department", None, ("music department",)),
    ("990a90e2-4761-41d9-bfd6-3bd90e122762", "production_department", None, ("production department",)),
    ("b3eac1a6-a62b-4f46-8b93-5331b94f6af3", "production_manager", None, ("production management",
                                                                          "production manager")),
    ("bf32c344-897c-4e0a-b401-36bfa2c3669e", "script_department", None, ("script and continuity department",
                                                                         "script department")),
    ("ce258419-131b-41f0-b2c5-227f5d9b719f", "sound_department", None, ("sound department",)),
    ("4df03a1e-b90d-4c4a-8638-29eea26a156b", "soundtrack", None, ("soundtrack", "soundtracks")),
    ("856eb49a-7610-47d5-9a07-c7df3f715075", "special_effects", None, ("special effects", "special effects by")),
    ("fcb0b804-e618-4044-8a74-79e94d17e3cd", "visual_effects", None, ("visual effects", "visual effects by")),
    ("79cc5241-902a-4d4b-971d-27a3590fa1f4", "stunts", None, ("stunts",)),
    ("8c952a79-f27c-4e5a-be85-b114b0ecd04e", "transportation_department", None, ("transportation department",)),
    ("a7c2d410-e513-4bd7-85d5-73060ec46a84", "miscellaneous", None, ("additional crew", "other crew")),
    ("90de891d-6d5e-4711-9179-3eda18bd18e1", "thanks", None, ("thanks",)),
)

_BY_ID = {}
_BY_NAME = {}
for _uuid, _role, _job, _names in CREDIT_CATEGORIES:
    _full = _GROUP_PREFIX + _uuid[len("group:"):] if _uuid.startswith("group:") else _CATEGORY_PREFIX + _uuid
    _BY_ID[_full] = (_role, _job)
    for _name in _names:
        _BY_NAME[_name] = (_role, _job)

#: Headings no table names (older pages, other languages): words -> (role, job); the first rule that matches wins.
_WORD_RULES = (
    (("photography", "cinematograph"), "cinematographer", None),
    (("casting",), "casting_director", None),
    (("assistant director", "second unit"), "assistant_director", None),
    (("department",), None, None),
    (("director", "directed"), "director", None),
    (("creator", "created"), "writer", "creator"),
    (("writer", "writing", "written"), "writer", None),
    (("producer", "produced"), "producer", None),
    (("composer", "music"), "composer", None),
    (("editor", "editing"), "editor", None),
    (("star", "cast", "actor", "actress"), "actor", None),
    (("self", "himself", "herself", "themselves"), "self", None),
)

#: Credited-role texts that only name the role, not a job or a character.
_GENERIC_ROLE_TEXTS = {
    "actor", "actress", "self", "director", "directors", "writer", "writers", "creator", "creators",
    "producer", "composer", "cast", "star", "stars", "archive footage",
}


def credit_role(label: str | None, category_id: str | None = None, default_role: str | None = None):
    """``(role, job)`` of a credit category: by its IMDb id first, then by its heading.

    Parameters
    ----------
    label : str or None
        The heading as the page shows it (``"Directors"``, ``"Produced by"``).
    category_id : str or None
        The category's id (``amzn1.imdb.concept.name_credit_category.<uuid>``),
        when the page gives one; an id no table knows is ignored.
    default_role : str or None
        The role when neither says anything.

    Returns
    -------
    tuple
        ``(role, job)``; ``job`` is set only where the category itself
        names one (``"creator"`` for series creators, who are writers).

    Examples
    --------
    >>> credit_role("Regie", "amzn1.imdb.concept.name_credit_category.ace5cb4c-8708-4238-9542-04641e7c8171")
    ('director', None)
    >>> credit_role("Art Director"), credit_role("Writing Credits"), credit_role("Creators")
    (('art_director', None), ('writer', None), ('writer', 'creator'))
    >>> credit_role("Camera and Electrical Department"), credit_role("Choreography by")
    (('camera_department', None), ('choreography', None))
    """
    if isinstance(category_id, str) and category_id in _BY_ID:
        return _BY_ID[category_id]
    if not label or label.startswith("amzn1."):
        return default_role, None
    low = re.sub(r"\s+", " ", label.lower().replace("_", " ")).strip()
    if low in _BY_NAME:
        return _BY_NAME[low]
    for words, role, job in _WORD_RULES:
        if any(w in low for w in words):
            if role is None:  # "... Department": keep the heading itself
                break
            return role, job
    clean = re.sub(r"\s+by$", "", low).strip()
    return clean or default_role, None


def person_of(node) -> tuple[str | None, str | None]:
    """``(id, name)`` of a credit node (``{"name": {"id", "nameText"}}`` and older variants)."""
    if not isinstance(node, dict):
        return None, text(node)
    name_obj = node.get("name") if isinstance(node.get("name"), dict) else node
    person_id = name_obj.get("id") or node.get("nameId") or node.get("nconst")
    if not is_imdb_person_id(person_id):  # IMDb's form only ("nm" and 7+ digits): anything else is no id
        url = name_obj.get("url") or node.get("url") or ""
        match = NAME_ID.search(url) if isinstance(url, str) else None
        person_id = match.group(1) if match else None
    name = text(name_obj.get("nameText")) or text(name_obj.get("displayName"))
    if not name and isinstance(node.get("name"), str):
        name = node["name"].strip() or None
    return person_id, name


def characters_of(node: dict) -> list[str]:
    out = []

    def add(value):
        for item in nodes(value) if not isinstance(value, str) else [value]:
            found = text(item)
            if found and found not in out:
                out.append(found)

    add(node.get("characters"))
    for role in nodes(node.get("creditedRoles")):
        if isinstance(role, dict):
            add(role.get("characters"))
    if not out:  # a credited role whose text is the character ("as ..."), not a category
        for role in nodes(node.get("creditedRoles")):
            found = text(role.get("text")) if isinstance(role, dict) else None
            if found and found.lower() not in _GENERIC_ROLE_TEXTS and found not in out:
                out.append(found)
    return out


def job_of(node: dict, with_role_texts: bool) -> str | None:
    parts = []

    def add(found):
        found = (found or "").strip().strip("()").strip()
        if found and found.lower() not in _GENERIC_ROLE_TEXTS and found not in parts:
            parts.append(found)

    for attr in nodes(node.get("attributes")):
        add(text(attr))
    for role in nodes(node.get("creditedRoles")):
        if not isinstance(role, dict):
            continue
        if with_role_texts:
            add(text(role.get("text")))
        for attr in nodes(role.get("attributes")):
            add(text(attr))
    return ", ".join(parts) or None


@dataclass
class Credit:
    person_id: str
    name: str | None
    role: str
    characters: list = field(default_factory=list)
    job: str | None = None


class Credits:
    """Credits in page order, one per (person, role); later sightings only fill gaps."""

    def __init__(self):
        self.items: dict[tuple, Credit] = {}

    def add(self, node, role: str, job: str | None = None, characters=None) -> Credit | None:
        person_id, name = person_of(node)
        if not person_id and not name:
            return None
        person_id = person_id or person_key(name)
        key = (person_id, role)
        credit = self.items.get(key)
        if credit is None:
            credit = self.items[key] = Credit(person_id, name, role)
        credit.name = credit.name or name
        for character in characters or []:
            if character not in credit.characters:
                credit.characters.append(character)
        if job:
            jobs = [j for j in (credit.job or "").split(", ") if j]
            for part in job.split(", "):
                if part not in jobs:
                    jobs.append(part)
            credit.job = ", ".join(jobs)
        return credit

    def of_role(self, role: str) -> list[Credit]:
        return [c for c in self.items.values() if c.role == role]


def person_key_of(node) -> str | None:
    """The id a credit node gets in the graph (its nm id, else a name key)."""
    person_id, name = person_of(node)
    return person_id or (person_key(name) if name else None)


def join_jobs(*jobs) -> str | None:
    return ", ".join(j for j in jobs if j) or None


@dataclass
class CategoryCredits:
    """What :func:`read_categories` found: the roles the page lists only in part, and those it lists in full.

    A role is incomplete when any of its categories shows fewer items than
    its ``total``, complete when all of them show their whole total; a
    category without a total says neither.  ``counts`` has, per role, the
    items shown and the totals stated, summed over its categories (for
    ``reelgraph parse``: "producer (2 of 4)").
    """

    incomplete: list = field(default_factory=list)  # roles with len(items) < total, in page order
    complete: list = field(default_factory=list)  # roles whose every category shows its whole total
    counts: dict = field(default_factory=dict)  # role -> [items shown, total stated]
    categories: int = 0  # categories read


def _attribute_texts(value) -> list[str]:
    """``"(uncredited) (as Jo)"`` or ``[{"text": "uncredited"}]`` -> ``["uncredited", "as Jo"]``."""
    if isinstance(value, str):
        found = re.findall(r"\(([^()]*)\)", value)
        return [f.strip() for f in (found or [value]) if f.strip()]
    return [t for t in (text(item) for item in nodes(value)) if t]


def _category_job(item: dict, category_job: str | None) -> str | None:
    """The job of a ``categories[]`` item: the category's, its attributes, its jobs, its episode count."""
    parts = [category_job] if category_job else []
    for found in _attribute_texts(item.get("attributes")) + [t for t in (text(j) for j in nodes(item.get("jobs"))) if t]:
        found = found.strip("()").strip()
        if found and found.lower() not in _GENERIC_ROLE_TEXTS and found not in parts:
            parts.append(found)
    episodes = to_int(get(item, "episodicCreditData.episodeCount"))
    if episodes:
        parts.append(f"{episodes} episode" + ("" if episodes == 1 else "s"))
    return join_jobs(*parts)


def read_categories(categories, cast: Credits, crew: Credits) -> CategoryCredits:
    """Add the credits of a page's ``categories[]`` to ``cast`` and ``crew``, in page order.

    Parameters
    ----------
    categories : list
        ``[{id, name, section: {items[], total, splitIndex?}}]``, an item
        being ``{id: "nm...", rowTitle, isCast, characters[], attributes,
        episodicCreditData?}`` (the ``/reference`` and ``/fullcredits/``
        pages of 2025-2026).
    cast, crew : Credits
        Where the cast (``isCast`` items and categories whose role is
        ``actor`` or ``self``) and everyone else go.

    Returns
    -------
    CategoryCredits
        How many categories were read, the roles of those the page shows
        only in part (``len(items) < total``: IMDb's server-rendered lists
        stop at a few dozen items), the roles it shows in full, and the
        counts of both.

    Examples
    --------
    >>> cast, crew = Credits(), Credits()
    >>> found = read_categories([{"id": "amzn1.imdb.concept.name_credit_category.ace5cb4c-8708-4238-9542-04641e7c8171",
    ...     "name": "Regie", "section": {"items": [{"id": "nm0000001", "rowTitle": "Ana"}], "total": 2}}], cast, crew)
    >>> [(c.person_id, c.role) for c in crew.items.values()], found.incomplete, found.complete, found.counts
    ([('nm0000001', 'director')], ['director'], [], {'director': [1, 2]})
    """
    found = CategoryCredits()
    for category in nodes(categories):
        if not isinstance(category, dict):
            continue
        section = category.get("section") if isinstance(category.get("section"), dict) else {}
        items = [i for i in nodes(section.get("items")) if isinstance(i, dict)]
        label = text(category.get("name")) or text(category.get("title"))
        role, category_job = credit_role(label, category.get("id"))
        found.categories += 1
        for item in items:
            node = {"name": {"id": item.get("id"), "nameText": item.get("rowTitle") or get(item, "name.nameText")}}
            item_role = role
            if item.get("isCast") and item_role not in ("actor", "self"):
                item_role = "actor"
            if not item_role:
                continue
            job = _category_job(item, category_job)
            if item_role in ("actor", "self"):
                cast.add(node, item_role, job, characters_of(item))
            else:
                crew.add(node, item_role, job)
        total = to_int(section.get("total"))
        if role and total is not None:
            shown = found.counts.setdefault(role, [0, 0])
            shown[0] += len(items)
            shown[1] += total
            if len(items) < total and role not in found.incomplete:
                found.incomplete.append(role)
    found.complete = [role for role in found.counts if role not in found.incomplete]
    return found
