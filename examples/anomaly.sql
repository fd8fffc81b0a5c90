-- Anomalies in the temperature of an industrial machine (the Numenta Anomaly Benchmark's
-- realKnownCause/machine_temperature_system_failure.csv: a reading every 5 minutes, December
-- 2013 to February 2014, with four labelled failures). The data set is not part of the
-- repository: it sits in ../shared/data beside it. Run from the repository's root:
--
--   go run ./cmd/weir examples/anomaly.sql
--
-- Each 15-minute window's average temperature is compared with the 24 windows before it (the
-- 6 hours before): a window whose average lies more than 3 sample standard deviations from
-- their mean is flagged. One hour of watermark delay lets the file's repeated hour count.

CREATE STREAM machine (
  timestamp TIMESTAMP,
  value     DOUBLE,
  WATERMARK FOR timestamp AS timestamp - INTERVAL '1' HOUR
) WITH (connector = 'file',
        path = '../shared/data/nab/realKnownCause/machine_temperature_system_failure.csv',
        format = 'csv');

SELECT window_start, avg(value) AS avg_temp,
       zscore(avg(value)) OVER (ORDER BY window_start
                                ROWS BETWEEN 24 PRECEDING AND 1 PRECEDING) AS z
FROM machine
GROUP BY TUMBLE(timestamp, 15m)
QUALIFY abs(z) > 3;
