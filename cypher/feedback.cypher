// Initiate–respond–feedback (发起—响应—反馈, SH-11): what an implementing department
// did with a hit.

// name: record_feedback
MATCH (e:Entry {id: $entry_id})
MERGE (f:Feedback {id: $feedback_id})
ON CREATE SET f += $props, f.list = e.list
MERGE (f)-[:ABOUT]->(e)
RETURN f.id AS id

// name: feedback_counts
MATCH (f:Feedback)
WHERE $since <= f.on AND f.on <= $until
RETURN f.list AS list, f.action AS action, f.region AS region, f.department AS department,
       f.outcome AS outcome, count(f) AS n
