"""Case briefings, rendered: ``to_html`` writes a briefing assembled by
``graph_model.reports.briefing`` as one self-contained HTML file (vis-network and the
data inlined: it opens offline and can be e-mailed); ``viz.render`` turns that same
HTML into PDF or PNG. Nothing is read, checked or masked here: the briefing comes
already as its reader may read it.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from pyvis.network import Network

from graph_model.reports.briefing import KIND_ZH, Briefing
from viz import STATIC_DIR, VIS_DIR

__all__ = ["palette", "to_html"]


@cache
def palette() -> dict:
    """The explorer's palette (viz/static/palette.js): one meaning per colour everywhere."""
    text = (STATIC_DIR / "palette.js").read_text(encoding="utf-8")
    return json.loads(text.split("\nwindow.SANCTIONNET_PALETTE =", 1)[1].strip().rstrip(";"))


def _network(b: Briefing) -> Network:
    colours = palette()
    net = Network(directed=True, cdn_resources="in_line")
    for node in b.graph.nodes:
        kind = colours["kinds"][node.kind]
        state = colours["states"].get(node.state) if node.state else None
        fill = (state["listed"] if node.listed else state["fill"]) if state else kind["fill"]
        border = state["border"] if state else kind["border"]
        lit = node.id in b.highlighted_nodes
        states = "、".join(f"{e.id} {e.state.value if e.state else '–'} ({e.role})" for e in node.entries)
        title = f"{node.name} ({node.id}) · {KIND_ZH[node.kind]}" + (f"\n{states}" if states else "")
        net.add_node(node.id, label=node.name, title=title, shape=kind["shape"], size=kind["size"] + 3,
                     color={"background": fill, "border": colours["highlight"] if lit else border},
                     borderWidth=5 if lit else (4 if node.listed else 2),
                     font={"size": 15, "face": "Noto Sans CJK SC, sans-serif"})
    for edge in b.graph.edges:
        style = colours["types"].get(str(edge.type), {"zh": str(edge.type), "color": "#64748b", "dashes": False,
                                                      "width": 1.5})
        label = style["zh"] + (f" {edge.share:g}%" if edge.share is not None else "")
        lit = edge.id in b.highlighted_edges
        ended = edge.valid_to is not None and edge.valid_to < b.on
        net.add_edge(edge.from_, edge.to, label=label, color=colours["highlight"] if lit else style["color"],
                     width=4 if lit else style["width"], dashes=True if ended or edge.derived else style["dashes"],
                     title=f"{label} {edge.valid_from or '…'} – {edge.valid_to or '…'}",
                     font={"size": 12, "align": "middle"})
    # Laid out once by vis-network's solver from a fixed seed, then frozen: the
    # same briefing draws the same picture, in the HTML and in the PDF.
    net.set_options(json.dumps({"layout": {"randomSeed": 7, "improvedLayout": len(b.graph.nodes) <= 150},
                                "physics": {"enabled": True, "solver": "forceAtlas2Based",
                                            "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 140},
                                            "stabilization": {"enabled": True, "iterations": 500, "fit": True}},
                                "interaction": {"hover": True},
                                "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
                                          "smooth": {"type": "dynamic"}}}))
    return net


@cache
def _vis() -> tuple[str, str]:
    return ((VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8"),
            (VIS_DIR / "vis-network.css").read_text(encoding="utf-8"))


@cache
def _templates() -> Environment:
    return Environment(loader=PackageLoader("viz", "templates"), autoescape=select_autoescape(["html", "j2"]))


def to_html(b: Briefing) -> str:
    """One self-contained HTML document: no request leaves it."""
    net = _network(b)
    node_data, edge_data, _, _, _, options = net.get_network_data()
    vis_js, vis_css = _vis()
    colours = palette()
    drawn = {str(e.type) for e in b.graph.edges}
    legend_roles = [(style["color"], style["zh"], code) for code, style in colours["types"].items() if code in drawn]
    return _templates().get_template("briefing.html.j2").render(
        b=b, nodes=node_data, edges=edge_data, options=json.loads(options), vis_js=vis_js, vis_css=vis_css,
        kinds=colours["kinds"].values(), states=colours["states"].values(), legend_roles=legend_roles,
        highlight=colours["highlight"], generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
