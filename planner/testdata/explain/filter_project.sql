SELECT host, bytes / 1024 AS kib, CASE WHEN status >= 500 THEN 'error' ELSE 'ok' END AS kind
FROM requests
WHERE host LIKE 'api.%' AND bytes IS NOT NULL
LIMIT 10
