SELECT host, latency ^ 2 AS sq, 2 ** -1 AS half FROM requests WHERE status ** 2 > 100
