// Tenders (招投标): who bid (BID_ON) and who won (WON).

// name: load_tenders
// ON CREATE / ON MATCH rather than a SET after the MERGE: no Eager (see load_subjects).
UNWIND $rows AS row
MERGE (t:Tender {id: row.id})
ON CREATE SET t += row.props
ON MATCH SET t += row.props
RETURN count(t) AS n

// name: tenders_by_ids
UNWIND $ids AS tid
MATCH (t:Tender {id: tid})
RETURN t.id AS id, t.published AS published

// name: load_bids
// One bid per bidder and tender; WON follows the row, so a corrected row undoes it.
UNWIND $rows AS row
MATCH (s:Subject {id: row.subject_id})
MATCH (t:Tender {id: row.tender_id})
MERGE (s)-[b:BID_ON]->(t)
SET b.amount = row.amount
WITH s, t, b, row, [(s)-[w:WON]->(t) | w] AS wins
FOREACH (_ IN CASE WHEN row.won AND size(wins) = 0 THEN [1] ELSE [] END | CREATE (s)-[:WON]->(t))
FOREACH (w IN CASE WHEN row.won THEN [] ELSE wins END | DELETE w)
RETURN count(b) AS n

// name: tender_bids
// Every bid, with whether it won: the bipartite network co-bidding analysis reads.
MATCH (s:Subject)-[:BID_ON]->(t:Tender)
RETURN s.id AS bidder, s.region AS region, t.id AS tender, size([(s)-[:WON]->(t) | 1]) > 0 AS won
