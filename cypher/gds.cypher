// Graph Data Science (GDS) on Neo4j: the network analyses of leads run where the graph
// is, on projections of what is in force on a day, and only their findings come back
// (analysis.gds, analysis.gds_leads). Only a Neo4j store on which `gds.version()`
// answers runs these; FalkorDB never does (it has no GDS), so they are base blocks
// (a dialect may override a name, never add one) whose text is Neo4j's. Every graph
// name comes in as $graph, made unique per run, and every projection is dropped after.

// name: gds_version
// Whether GDS is installed, and which: the path choice of analysis.gds.has_gds.
CALL gds.version() YIELD gdsVersion
RETURN gdsVersion AS version

// name: gds_graphs
// The projections in GDS's catalogue for this database: none is left after an analysis.
CALL gds.graph.list() YIELD graphName, nodeCount, relationshipCount, creationTime
RETURN graphName AS graph, nodeCount AS nodes, relationshipCount AS relationships,
       toString(creationTime) AS created
ORDER BY graph

// name: gds_drop
// Drop a projection, and nothing if there is none by that name.
CALL gds.graph.drop($graph, false) YIELD graphName
RETURN graphName AS graph

// name: gds_project_holdings
// The shareholding network in force on $on, holder -> held, as holdings_on reads it
// (an enterprise's holding of its own shares is no edge): for strongly connected parts.
MATCH (a:Subject)-[h:HOLDS_SHARES]->(b:Enterprise)
WHERE h.valid_from <= $on AND $on <= h.valid_to AND a <> b
WITH gds.graph.project($graph, a, b) AS g
RETURN g.graphName AS graph, g.nodeCount AS nodes, g.relationshipCount AS relationships

// name: gds_scc_parts
// The strongly connected parts of more than one node: enterprises that hold each other.
// Node ids are collected, not nodes, so only the parts kept are looked up.
CALL gds.scc.stream($graph) YIELD nodeId, componentId
WITH componentId, collect(nodeId) AS ids
WHERE size(ids) > 1
RETURN [i IN ids | gds.util.asNode(i).id] AS members

// name: gds_project_roles
// The person-enterprise role network in force on $on (the roles leads_role_edges
// reads), undirected, one relationship per pair of subjects: what Louvain runs on.
MATCH (a:Subject)-[r:LEGAL_REP_OF|PRINCIPAL_OF|ACTUAL_CONTROLLER_OF|HOLDS_SHARES|MANAGES|KEY_PERSON_OF]->(b:Subject)
WHERE r.valid_from <= $on AND $on <= r.valid_to
WITH DISTINCT CASE WHEN a.id <= b.id THEN a ELSE b END AS x, CASE WHEN a.id <= b.id THEN b ELSE a END AS y
WITH gds.graph.project($graph, x, y, {}, {undirectedRelationshipTypes: ['*']}) AS g
RETURN g.graphName AS graph, g.nodeCount AS nodes, g.relationshipCount AS relationships

// name: gds_louvain_mutate
// Louvain communities of a projection, kept in it as the node property `community`.
// One thread: GDS Louvain has no seed, and in parallel its result follows the timing.
CALL gds.louvain.mutate($graph, {mutateProperty: 'community', concurrency: 1})
YIELD communityCount
RETURN communityCount AS communities

// name: gds_role_communities
// The communities (gds_louvain_mutate) that hold one of the listed $firms and at least
// $min enterprises; the members (id, kind, region) only of those with at most $max, as
// a bigger one is split again rather than reported.
CALL gds.graph.nodeProperty.stream($graph, 'community') YIELD nodeId, propertyValue
WITH propertyValue AS community, nodeId, gds.util.asNode(nodeId) AS n
WITH community, collect(nodeId) AS ids, sum(CASE WHEN n.kind = 'enterprise' THEN 1 ELSE 0 END) AS firms,
     sum(CASE WHEN n.id IN $firms THEN 1 ELSE 0 END) AS listed
WHERE listed > 0 AND firms >= $min
WITH community, ids, firms, CASE WHEN firms <= $max THEN [i IN ids | gds.util.asNode(i)] ELSE [] END AS nodes
RETURN community, size(ids) AS size, firms, [m IN nodes | m {.id, .kind, .region}] AS members
ORDER BY community

// name: gds_filter_community
// The subgraph of one community of the projection $parent (induced: every relationship
// between its members), as the projection $graph, without the parent's `community`.
CALL gds.graph.filter($graph, $parent, 'n.community = $community', '*', {parameters: {community: $community}})
YIELD graphName, nodeCount, relationshipCount
CALL gds.graph.nodeProperties.drop(graphName, ['community']) YIELD propertiesRemoved
RETURN graphName AS graph, nodeCount AS nodes, relationshipCount AS relationships

// name: gds_project_cobidding
// The co-bidding network: firms that met in at least $min tenders of 2 to $tender_max
// bidders, undirected, weighted by how many (detect_bids, _Bids.network).
MATCH (s:Subject)-[:BID_ON]->(t:Tender)
WITH t, collect(DISTINCT s) AS bidders
WHERE size(bidders) >= 2 AND size(bidders) <= $tender_max
UNWIND bidders AS a
UNWIND bidders AS b
WITH a, b
WHERE a.id < b.id
WITH a, b, count(*) AS met
WHERE met >= $min
WITH gds.graph.project($graph, a, b, {relationshipProperties: {weight: toFloat(met)}},
                       {undirectedRelationshipTypes: ['*']}) AS g
RETURN g.graphName AS graph, g.nodeCount AS nodes, g.relationshipCount AS relationships

// name: gds_cobidding_groups
// Louvain communities of the co-bidding network, weighted, of two firms or more.
CALL gds.louvain.stream($graph, {relationshipWeightProperty: 'weight', concurrency: 1})
YIELD nodeId, communityId
WITH communityId, collect(nodeId) AS ids
WHERE size(ids) >= 2
RETURN [i IN ids | gds.util.asNode(i).id] AS members

// name: gds_group_bids
// Every bid in the tenders the given firms bid in, as tender_bids reads them: what the
// cohesion and exclusivity of groups found on GDS are measured from. Plain Cypher.
UNWIND $ids AS sid
MATCH (:Subject {id: sid})-[:BID_ON]->(t:Tender)
WITH DISTINCT t
MATCH (s:Subject)-[:BID_ON]->(t)
RETURN s.id AS bidder, s.region AS region, t.id AS tender, size([(s)-[:WON]->(t) | 1]) > 0 AS won
