WITH errors AS (SELECT host, status FROM requests WHERE status >= 400)
SELECT host, count(*) AS n FROM errors GROUP BY host ORDER BY n DESC
