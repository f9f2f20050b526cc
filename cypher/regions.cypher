// Administrative divisions (GB/T 2260) as nodes: provinces, prefectures and counties,
// current and abolished, with the hierarchy and where an abolished code went.

// name: load_regions
UNWIND $rows AS row
MERGE (r:Region {code: row.code})
SET r.name = row.name, r.level = row.level, r.current = row.current, r.province = row.province,
    r.names = row.names
RETURN count(r) AS n

// name: link_region_parents
UNWIND $rows AS row
MATCH (child:Region {code: row.code})
MATCH (parent:Region {code: row.parent})
MERGE (child)-[:PART_OF]->(parent)
RETURN count(child) AS n

// name: link_region_successors
// An abolished code and the current region it resolves to, with how.
UNWIND $rows AS row
MATCH (old:Region {code: row.code})
MATCH (now:Region {code: row.successor})
MERGE (old)-[s:SUCCEEDED_BY]->(now)
SET s.why = row.why
RETURN count(old) AS n

// name: count_regions
MATCH (r:Region)
RETURN r.level AS level, r.current AS current, count(r) AS n

// name: region_parents
// The regions a region lies in, nearest first.
MATCH (r:Region {code: $code})-[:PART_OF*1..2]->(p:Region)
RETURN p.code AS code, p.level AS level
ORDER BY p.code DESC
