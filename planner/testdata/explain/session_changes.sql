SELECT k, count(*), max(v), window_start, window_end
FROM events
GROUP BY k, SESSION(ts, 5m)
ALLOWED LATENESS 1m
EMIT CHANGES
