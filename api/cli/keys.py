"""``sanctionnet keys create|list|revoke``: the API keys and their roles (see api.auth)."""

from __future__ import annotations

import json as jsonlib
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import console, exits
from api.keys import KeyStore
from graph_model.catalogue.model import load_catalogue
from graph_model.privacy.masking import Role
from graph_model.settings import get_settings

__all__ = ["app"]

app = typer.Typer(help="API keys: create one per client system or person, with the least role it needs.",
                  no_args_is_help=True)


def _store() -> KeyStore:
    return KeyStore(get_settings().data_dir)


@app.command()
@exits
def create(role: Annotated[Role, typer.Option(help="What the key may do (see `sanctionnet keys --help`).")],
           name: Annotated[str, typer.Option(help="Who or what system holds it, e.g. 'bid portal, 省公共资源交易中心'.")],
           department: Annotated[str | None, typer.Option(help="Registrar keys: the deciding department it "
                                                              "records for.")] = None,
           dept_type: Annotated[str | None, typer.Option(help="Registrar keys: the department's type (人民法院, "
                                                             "税务部门, ...); it records on the lists whose "
                                                             "deciding_dept_types name it.")] = None,
           region: Annotated[str | None, typer.Option(help="Registrar keys: its region (GB/T 2260, e.g. 230000 "
                                                          "for a province).")] = None) -> None:
    """Create a key. The key itself is printed once, on the last line; only its hash is kept."""
    settings = get_settings()
    types = load_catalogue(settings.catalogue_dir).department_types
    key, token = _store().create(role, name, department, region, dept_type, types)
    console.print(f"created key {key.id} ({key.role.value}) for {key.name}; it is shown only now:")
    print(token)


@app.command("list")
@exits
def list_keys(json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every key with its role and state (never the key itself)."""
    keys = _store().list()
    if json:
        print(jsonlib.dumps([k.public() for k in keys], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(keys)} key(s)")
    for column in ("id", "role", "name", "department", "type", "region", "created", "revoked"):
        table.add_column(column)
    for k in keys:
        table.add_row(k.id, k.role.value, k.name, k.department or "", k.dept_type or "", k.region or "", k.created, k.revoked or "")
    console.print(table)


@app.command()
@exits
def revoke(key_id: Annotated[str, typer.Argument(help="The key's id (from `keys list`).")]) -> None:
    """Revoke a key: it stops working at once, in every API worker."""
    key = _store().revoke(key_id)
    console.print(f"key {key.id} ({key.role.value}, {key.name}) revoked {key.revoked}")
