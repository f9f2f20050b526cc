// Ownership and control: the holdings and roles the analysis walks, one level of
// the network per call (analysis/ownership.py walks until nothing new is found).

// name: holders_of
// Who holds shares in the given subjects on $on.
UNWIND $ids AS sid
MATCH (o:Subject)-[h:HOLDS_SHARES]->(s:Subject {id: sid})
WHERE h.valid_from <= $on AND $on <= h.valid_to
RETURN o.id AS owner, o.kind AS owner_kind, o.name AS owner_name, s.id AS owned, h.share AS share

// name: holdings_of
// What the given subjects hold shares in on $on.
UNWIND $ids AS oid
MATCH (o:Subject {id: oid})-[h:HOLDS_SHARES]->(s:Subject)
WHERE h.valid_from <= $on AND $on <= h.valid_to
RETURN o.id AS owner, s.id AS owned, s.kind AS owned_kind, s.name AS owned_name, h.share AS share

// name: registered_controlled
// Enterprises the given subjects are registered actual controllers of on $on.
UNWIND $ids AS cid
MATCH (c:Subject {id: cid})-[k:ACTUAL_CONTROLLER_OF]->(s:Subject)
WHERE k.valid_from <= $on AND $on <= k.valid_to
RETURN c.id AS controller, s.id AS controlled, s.kind AS kind, s.name AS name

// name: officers_of
// Registered controllers and senior managers of one subject on $on.
MATCH (p:Subject)-[k:ACTUAL_CONTROLLER_OF|LEGAL_REP_OF|PRINCIPAL_OF|MANAGES]->(s:Subject {id: $id})
WHERE k.valid_from <= $on AND $on <= k.valid_to
RETURN p.id AS id, p.kind AS kind, p.name AS name, type(k) AS role

// name: registered_controllers_of
// Registered actual controllers of the given subjects on $on.
UNWIND $ids AS sid
MATCH (c:Subject)-[k:ACTUAL_CONTROLLER_OF]->(s:Subject {id: sid})
WHERE k.valid_from <= $on AND $on <= k.valid_to
RETURN c.id AS id, c.kind AS kind, c.name AS name, s.id AS controlled
