"""Identity resolution for sources whose records name subjects by their own ids (FtM, BODS).

An FtM entity or a BODS record is a subject under the source's id, and the source's
links, relationships and Sanctions refer to it by that id. A new subject keeps that id,
so an export loads back with the same ids. But one enterprise in two sources is one
subject: :func:`attach_records` runs the subject rows of a conversion through
:func:`loaders.identity.resolve`, and a row that a key (USCC, organisation code, full
name, ID number, a person named by the same enterprise) ties to a stored subject or to
another row of the load takes that subject's id; every relation, entry and source row
naming it follows. Each subject record is kept as a source record with why.
"""

from __future__ import annotations

from graph_model.identity.forms import Identifier, Scheme
from graph_model.identity.pii import IdHasher
from graph_model.store.base import Store
from graph_model.vocabulary.kinds import OPEN_END, OPEN_START, RelType, SubjectKey, SubjectKind
from loaders.bundle import read_by_ids
from loaders.convert import BundleWriter, Conversion, place, raw_record
from loaders.identity import Mention, Resolved, resolve
from loaders.interchange import read_relations

__all__ = ["attach_records", "record_source"]

_RAW_MAX = 20_000  # SourceRow.raw's limit
_BATCH = 5000


def record_source(writer: BundleWriter, conversion: Conversion, sid: str, where: str, raw: dict) -> None:
    """Keep a subject record as a source row (``sources.csv``) of subject ``sid``, the
    source's id; :func:`attach_records` sets the subject it joins and why. ``raw`` is
    kept with every ID number masked, or not at all if too long."""
    text = raw_record(raw)
    if len(text) > _RAW_MAX:
        conversion.note("fields of source records too long to keep (over 20,000 characters)")
        text = None
    writer.add("sources.csv", {"record_id": sid, "source": place(where)[0], "subject_id": sid,
                               "why": f"id {sid} in the source", "raw": text}, where, sid)


def attach_records(store: Store, hasher: IdHasher, writer: BundleWriter, conversion: Conversion, *,
                   source: str) -> None:
    """Give each subject row of ``writer`` (ids: the source's) its subject, stored or new,
    and rewrite the relation, entry and source rows to match. ``source`` (``ftm``,
    ``bods``) scopes the source's person ids: one id in one source is one person.

    Rows that join a subject another record named (stored, or earlier in this load) are
    counted as merged; role periods that a stored subject already has with another
    share, end or title are counted in the notes (this load's figures replace them).
    """
    rows = _by_source_id(writer)
    if not rows:
        return
    resolved = resolve(store, hasher, _mentions(rows, writer.rows["relations.csv"], hasher, source))
    stored = {r["key"]: r for r in read_by_ids(store, "subjects_by_keys",
                                               {resolved[s].subject_id for s in rows} | set(rows), _BATCH,
                                               SubjectKey.id)}
    ids = _subject_ids(rows, resolved, stored)
    _rewrite_subjects(writer, conversion, ids, stored)
    _rewrite_references(writer, conversion, ids, _whys(rows, resolved, ids, writer.rows["relations.csv"]))
    _count_changed_periods(store, writer, conversion, {s for s in ids.values() if s in stored})


def _by_source_id(writer: BundleWriter) -> dict[str, dict]:
    """The subject row of each source id; a source id given twice (two files) is one
    subject: the first row, with what it left empty filled in from the later ones."""
    rows: dict[str, dict] = {}
    for row in writer.rows["subjects.csv"]:
        known = rows.get(row["id"])
        if known is None:
            rows[row["id"]] = dict(row)
            continue
        for key, value in row.items():
            if value and not known.get(key):
                known[key] = value
    return rows


def _mentions(rows: dict[str, dict], relations: list[dict], hasher: IdHasher, source: str) -> list[Mention]:
    """One mention per subject record; for a person, one more per enterprise or body of
    the load it holds a role in (``named_by``), tied to the record by its source id."""
    mentions = []
    for sid, row in rows.items():
        if row["kind"] == SubjectKind.person:
            mentions.append(Mention(sid, SubjectKind.person, row["name"], source_key=f"{source}:{sid}",
                                    id_hash=hasher(row["id_number"]) if row.get("id_number") else None))
        else:
            codes = [Identifier(Scheme.uscc, row["uscc"])] if row.get("uscc") else []
            mentions.append(Mention(sid, SubjectKind(row["kind"]), row["name"], codes))
    for i, rel in enumerate(relations):
        person, org = rows.get(rel["from_id"]), rows.get(rel["to_id"])
        if person and org and person["kind"] == SubjectKind.person and org["kind"] != SubjectKind.person:
            mentions.append(Mention(f"{rel['from_id']}\x1f{i}", SubjectKind.person, person["name"],
                                    source_key=f"{source}:{rel['from_id']}", named_by=rel["to_id"], role=rel["type"]))
    return mentions


def _subject_ids(rows: dict[str, dict], resolved: dict[str, Resolved], stored: dict[str, dict]) -> dict[str, str]:
    """The subject id of each source id: the stored subject a key matched; else the
    source's own id of one of the records resolution put together (one already stored
    first, else the first in the file), unless every such id is a stored subject that is
    plainly another one (another kind or USCC): then the id resolution made."""
    clusters: dict[str, list[str]] = {}
    for sid in rows:
        clusters.setdefault(resolved[sid].subject_id, []).append(sid)
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for made, sids in clusters.items():
        if made in stored:
            chosen = made
        else:
            usccs = {rows[s].get("uscc") for s in sids} - {None, ""}
            own = ([s for s in sids if s in stored and _same(stored[s], rows[s], usccs)]
                   or [s for s in sids if s not in stored])
            chosen = own[0] if own and own[0] not in taken else made
        taken.add(chosen)
        ids.update((sid, chosen) for sid in sids)
    return ids


def _same(stored: dict, row: dict, usccs: set[str]) -> bool:
    """Whether the stored subject under a record's own id may be the record's subject."""
    return stored["kind"] == row["kind"] and not (stored["uscc"] and usccs and stored["uscc"] not in usccs)


def _rewrite_subjects(writer: BundleWriter, conversion: Conversion, ids: dict[str, str],
                      stored: dict[str, dict]) -> None:
    """One row per subject: the first record's, filled in from the others; a stored
    organisation keeps its kind (enterprise or public body) where a source classes it
    otherwise, so the record joins rather than being refused."""
    out: dict[str, dict] = {}
    origins = []
    for row, origin in zip(writer.rows["subjects.csv"], writer.origins["subjects.csv"]):
        final = ids[row["id"]]
        known = out.get(final)
        if known is None:
            kind = stored[final]["kind"] if final in stored else row["kind"]
            if kind != row["kind"]:
                conversion.note("the kind (enterprise or public body) of records whose stored subject has the other: "
                                "stored kind kept")
            if final != row["id"] and final in stored:
                conversion.merged += 1  # joined a stored subject another record named
            out[final] = {**row, "id": final, "kind": kind}
            origins.append(origin)
            continue
        conversion.merged += 1
        for key, value in row.items():
            if value and not known.get(key):
                known[key] = value
    writer.rows["subjects.csv"] = list(out.values())
    writer.origins["subjects.csv"] = origins


def _rewrite_references(writer: BundleWriter, conversion: Conversion, ids: dict[str, str],
                        whys: dict[str, str]) -> None:
    """Relation, entry and source rows naming a record by its source id name its subject.
    Two merged records stating one role period give it once (the first)."""
    relations, origins = [], []
    seen: dict[tuple, tuple] = {}
    for row, origin in zip(writer.rows["relations.csv"], writer.origins["relations.csv"]):
        mapped = {**row, "from_id": ids.get(row["from_id"], row["from_id"]),
                  "to_id": ids.get(row["to_id"], row["to_id"])}
        key = (mapped["from_id"], mapped["to_id"], mapped["type"], mapped.get("valid_from"))
        own = (row["from_id"], row["to_id"])
        if key in seen and seen[key] != own:
            conversion.note("repeats of a role period that two merged records both state (kept once)")
            continue
        seen.setdefault(key, own)
        relations.append(mapped)
        origins.append(origin)
    writer.rows["relations.csv"], writer.origins["relations.csv"] = relations, origins
    for row in writer.rows["entries.csv"]:
        row["subject_id"] = ids.get(row["subject_id"], row["subject_id"])
        row["named"] = [ids.get(pid, pid) for pid in row.get("named") or []]
    for row in writer.rows["sources.csv"]:
        sid = row["subject_id"]
        row["subject_id"], row["why"] = ids.get(sid, sid), whys.get(sid, row["why"])


def _whys(rows: dict[str, dict], resolved: dict[str, Resolved], ids: dict[str, str],
          relations: list[dict]) -> dict[str, str]:
    """Why each record is its subject, from the record's own keys (the same records give
    the same reasons in any load order): an organisation's USCC or name as resolution
    says; a person's ID number, else the enterprise that names them, else nothing."""
    roles: dict[str, list[tuple[str, str]]] = {}
    for rel in relations:
        org = rows.get(rel["to_id"])
        if rel["from_id"] in rows and org and org["kind"] != SubjectKind.person:
            roles.setdefault(rel["from_id"], []).append((ids[rel["to_id"]], rel["type"]))
    whys = {}
    for sid, row in rows.items():
        if row["kind"] != SubjectKind.person or row.get("id_number"):
            whys[sid] = resolved[sid].why
        elif sid in roles:
            org, role = min(roles[sid])
            whys[sid] = f"named {row['name']} by {org} (as {role}); a name alone never merges two persons"
        else:
            whys[sid] = f"known only by name ({row['name']}) and its id {sid} in the source: not merged with a namesake"
    return whys


def _count_changed_periods(store: Store, writer: BundleWriter, conversion: Conversion, stored_ids: set[str]) -> None:
    """Note the role periods of stored subjects this load states with another share, end
    or title than the store has: one period (holder, held, type, first day) has one set
    of figures, and a later load's replace an earlier one's (as reloading a file does)."""
    wanted = [r for r in writer.rows["relations.csv"] if r["from_id"] in stored_ids and r["to_id"] in stored_ids]
    if not wanted:
        return
    have = {(r["from_id"], r["to_id"], r["type"], r["valid_from"]): r
            for r in read_relations(store, {r["from_id"] for r in wanted}, RelType)}
    changed = 0
    for row in wanted:
        old = have.get((row["from_id"], row["to_id"], row["type"], row.get("valid_from") or OPEN_START))
        if old and ((row.get("share"), row.get("valid_to") or OPEN_END) != (old["share"], old["valid_to"])
                    or (row.get("title") and row["title"] != old["title"])):
            changed += 1
    conversion.note("figures (share, end, title) of role periods another load stored, replaced by this load's",
                    changed)
