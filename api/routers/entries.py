"""``/v1/entries``: listing decisions and their transitions, each a recorded act.

POST /v1/entries records a decision as ``proposed``; then notify, objection,
objection/resolve, repair and revoke move it on. Each act names actor,
department, reason and day; the entry view shows the acts, the dated periods,
who the entry binds and, after a revocation, the reputation-restoration record.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from fastapi.concurrency import run_in_threadpool

from api.auth import Role, in_region, require
from api.deps import Services, ServicesDep
from api.keys import ApiKey
from api.problems import PROBLEM_RESPONSES
from api.reads import client_of
from graph_model.catalogue.model import Catalogue
from graph_model.errors import Forbidden, NotFound
from graph_model.lifecycle.acts import Act, NewEntry, Resolution
from graph_model.lifecycle.transitions import create_entry, transition
from graph_model.views.entries import EntryView, entry_view
from graph_model.vocabulary.kinds import SubjectKind

__all__ = ["router"]

router = APIRouter(tags=["entries"])
EntryId = Annotated[str, Path(min_length=1, max_length=128, description="The entry's id.")]
Registrar = Annotated[ApiKey, require(Role.registrar)]


def _scope(key: ApiKey, new: NewEntry, catalogue: Catalogue) -> None:
    """A registrar records only its own department's decisions, in its own region, on
    the lists its department type may decide (the list's ``deciding_dept_types``), and
    acts only as that department."""
    if key.role is not Role.registrar:
        return
    if new.deciding_dept != key.department or new.department != key.department:
        raise Forbidden(f"this registrar key records for {key.department} only")
    if not in_region(key, new.region):
        raise Forbidden(f"this registrar key records in region {key.region} only")
    list_def = catalogue.lists.get(new.list)
    if list_def is not None and key.dept_type not in list_def.deciding_dept_types:
        raise Forbidden(f"list {new.list} takes decisions of {'、'.join(list_def.deciding_dept_types)} only; this "
                        f"registrar key is for a {key.dept_type or 'department of no recorded type'}")


async def _view(services: Services, request: Request, entry_id: str, event: str, **fields) -> EntryView:
    view = await run_in_threadpool(entry_view, services.store, services.catalogue, entry_id)
    persons = sorted({b.subject.id for b in view.bound if b.subject.kind is SubjectKind.person})
    # The view names the persons the entry binds: a read of personal data.
    await services.audit.awrite(event, client=client_of(request), entry=entry_id, list=view.list, subject=view.subject.id,
                         persons=persons, state=view.state, **fields)
    return view


@router.post("/v1/entries", summary="Record a listing decision", response_model=EntryView,
             status_code=status.HTTP_201_CREATED, responses=PROBLEM_RESPONSES)
async def post_entry(new: NewEntry, services: ServicesDep, request: Request,
                     key: Annotated[ApiKey, require(Role.registrar)]) -> EntryView:
    """Records a deciding department's decision (认定) as a *proposed* entry. It binds
    nobody until it is notified and the notice period has passed. A registrar key
    records only its own department's decisions in its own region."""
    _scope(key, new, services.catalogue)
    if new.entry_id is not None:
        # Another department's id is answered as reading it is: unknown to this key.
        await _in_scope(services, key, new.entry_id, missing_ok=True)
    entry_id = await run_in_threadpool(create_entry, services.store, services.catalogue, services.hasher, new)
    return await _view(services, request, entry_id, "entry_create", actor=new.actor, department=new.department)


@router.get("/v1/entries/{entry_id}", summary="An entry with its history", response_model=EntryView,
            responses=PROBLEM_RESPONSES)
async def get_entry(entry_id: EntryId, services: ServicesDep, request: Request,
                    key: Annotated[ApiKey, require(Role.registrar, Role.investigator)]) -> EntryView:
    """The entry's facts, every recorded act, its dated periods and who it binds (for a
    registrar: its own department's entries in its region)."""
    await _in_scope(services, key, entry_id)
    return await _view(services, request, entry_id, "entry_read")


async def _in_scope(services: Services, key: ApiKey, entry_id: str, missing_ok: bool = False) -> None:
    """A registrar sees and acts on its own department's entries in its region only;
    another's is answered as an unknown one, so its existence is not told (creating an
    entry under another's id too). ``missing_ok``: an id no entry has passes."""
    if key.role is not Role.registrar:
        return
    found = await run_in_threadpool(services.store.read_one, "entry_by_id", entry_id=entry_id)
    if found is None and missing_ok:
        return
    if (found is None or found["entry"]["deciding_dept"] != key.department
            or not in_region(key, found["entry"].get("region"))):
        raise NotFound(f"no entry {entry_id!r} for this key")


async def _act(services: Services, request: Request, entry_id: str, kind: str, act: Act,
               key: ApiKey) -> EntryView:
    if key.role is Role.registrar and act.department != key.department:
        raise Forbidden(f"this registrar key acts for {key.department} only")
    await _in_scope(services, key, entry_id)
    await run_in_threadpool(transition, services.store, services.catalogue, entry_id, kind, act)
    return await _view(services, request, entry_id, f"entry_{kind}", actor=act.actor, department=act.department)


@router.post("/v1/entries/{entry_id}/notify", summary="Notify the subject (告知)", response_model=EntryView,
             responses=PROBLEM_RESPONSES)
async def notify(entry_id: EntryId, act: Act, services: ServicesDep, request: Request,
                 key: Registrar) -> EntryView:
    """The listing notice was served; the entry takes effect when the list's notice
    period ends, unless an objection comes first."""
    return await _act(services, request, entry_id, "notify", act, key)


@router.post("/v1/entries/{entry_id}/objection", summary="Record an objection (异议)", response_model=EntryView,
             responses=PROBLEM_RESPONSES)
async def objection(entry_id: EntryId, act: Act, services: ServicesDep, request: Request,
                    key: Registrar) -> EntryView:
    """Every measure derived from the entry is suspended at once, for the entity and
    every person it binds ("联合惩戒措施在信息核实期间暂不执行", GZ (十七))."""
    return await _act(services, request, entry_id, "objection", act, key)


@router.post("/v1/entries/{entry_id}/objection/resolve", summary="Resolve an objection",
             response_model=EntryView, responses=PROBLEM_RESPONSES)
async def resolve(entry_id: EntryId, act: Resolution, services: ServicesDep, request: Request,
                  key: Registrar) -> EntryView:
    """``upheld``: the listing stands and its measures apply again. ``wrong``: the entry
    is revoked, as by /revoke."""
    return await _act(services, request, entry_id, "resolve", act, key)


@router.post("/v1/entries/{entry_id}/repair", summary="Record a completed credit repair (信用修复)",
             response_model=EntryView, responses=PROBLEM_RESPONSES)
async def repair(entry_id: EntryId, act: Act, services: ServicesDep, request: Request,
                 key: Registrar) -> EntryView:
    """Measures end and public disclosure stops from that day ("停止公示其失信记录，终止实施
    联合惩戒措施", GZ (十三)); dated checks before it keep their answer."""
    return await _act(services, request, entry_id, "repair", act, key)


@router.post("/v1/entries/{entry_id}/revoke", summary="Revoke a wrong listing (撤销)", response_model=EntryView,
             responses=PROBLEM_RESPONSES)
async def revoke(entry_id: EntryId, act: Act, services: ServicesDep, request: Request,
                 key: Registrar) -> EntryView:
    """Measures end, the person-level records derived from the entry are removed, and
    a reputation-restoration record is written ("恢复其信誉、消除不良影响", GZ (十七))."""
    return await _act(services, request, entry_id, "revoke", act, key)
