// One palette for the explorer and the briefings (viz/briefing.py reads this file too):
// the same colour means the same thing wherever a person sees the graph. The line below
// must stay `window.SANCTIONNET_PALETTE = <JSON>;`.
window.SANCTIONNET_PALETTE = {
  "highlight": "#6d28d9",
  "kinds": {
    "enterprise": {"label": "企业 Enterprise", "shape": "square", "fill": "#d3e3f6", "border": "#3b6ea8", "size": 13},
    "person": {"label": "自然人 Person", "shape": "dot", "fill": "#e7def6", "border": "#6a4c9c", "size": 12},
    "public_body": {"label": "机关事业单位 Public body", "shape": "triangle", "fill": "#e3e6ea", "border": "#59606d", "size": 14}
  },
  "states": {
    "restricted": {"label": "受限 Restricted", "fill": "#f7b9b6", "listed": "#e0524b", "border": "#a61b16"},
    "suspended": {"label": "暂停执行 Suspended (objection)", "fill": "#fde3a7", "listed": "#f3b43a", "border": "#9a6400"},
    "repaired": {"label": "已修复 Repaired", "fill": "#c5e9cb", "listed": "#79c788", "border": "#2e7d32"},
    "revoked": {"label": "已撤销 Revoked", "fill": "#eef0f2", "listed": "#cfd6dc", "border": "#78909c"},
    "expired": {"label": "已到期 Expired", "fill": "#eef0f2", "listed": "#cfd6dc", "border": "#78909c"}
  },
  "types": {
    "LEGAL_REP_OF": {"zh": "法定代表人", "en": "legal rep", "color": "#c0392b", "dashes": false, "width": 2.5},
    "PRINCIPAL_OF": {"zh": "主要负责人", "en": "principal", "color": "#d35400", "dashes": false, "width": 2.5},
    "ACTUAL_CONTROLLER_OF": {"zh": "实际控制人", "en": "actual controller", "color": "#8e44ad", "dashes": false, "width": 2.5},
    "HOLDS_SHARES": {"zh": "持股", "en": "holds shares", "color": "#2471a3", "dashes": false, "width": 1.5},
    "MANAGES": {"zh": "管理", "en": "manages", "color": "#117a65", "dashes": [8, 4], "width": 1.5},
    "KEY_PERSON_OF": {"zh": "主要人员", "en": "key person", "color": "#a67c00", "dashes": [8, 4], "width": 1.5},
    "STAFF_OF": {"zh": "工作人员", "en": "staff", "color": "#7f8c8d", "dashes": [2, 4], "width": 1.2},
    "BRANCH_OF": {"zh": "分支机构", "en": "branch of", "color": "#4a6274", "dashes": [12, 4, 2, 4], "width": 1.5},
    "SUPERVISED_BY": {"zh": "上级主管", "en": "supervised by", "color": "#1b2631", "dashes": [12, 4, 2, 4], "width": 1.2},
    "RELATIVE_OF": {"zh": "亲属", "en": "relative", "color": "#d81b60", "dashes": [4, 4], "width": 1.5},
    "NAMED": {"zh": "命名", "en": "NAMED", "color": "#222222", "dashes": [6, 6], "width": 2}
  }
};
