SELECT 1 + 2 AS x, 'a' || 'b' WHERE 1 < 2
