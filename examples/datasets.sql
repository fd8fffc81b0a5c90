-- One stream for each real data set in ../shared/data (see its README.md), with a windowed
-- query over each. The data sets are not part of the repository: they sit beside it. Run
-- from the repository's root:
--
--   go run ./cmd/weir examples/datasets.sql
--
-- Each WATERMARK delay fits the data set's disorder as stored: no event comes later than
-- that behind the newest event before it, so no event is dropped as late.

-- NASA Kennedy Space Center web requests, 1 August 1995: epoch seconds, sorted.
CREATE STREAM nasa (
  host      VARCHAR,
  logname   VARCHAR,
  time      BIGINT,       -- epoch seconds
  method    VARCHAR,
  url       VARCHAR,
  response  BIGINT,
  bytes     BIGINT,
  referer   VARCHAR,
  useragent VARCHAR,
  ts AS to_timestamp(time),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (connector = 'file', path = '../shared/data/nasa-http/nasa_19950801.tsv',
        format = 'tsv');

-- Wikipedia edits, 12 September 2015: gzipped JSON lines, sorted.
CREATE STREAM wikipedia (
  time           TIMESTAMP,
  channel        VARCHAR,
  cityName       VARCHAR,
  comment        VARCHAR,
  countryIsoCode VARCHAR,
  countryName    VARCHAR,
  isAnonymous    BOOLEAN,
  isMinor        BOOLEAN,
  isNew          BOOLEAN,
  isRobot        BOOLEAN,
  isUnpatrolled  BOOLEAN,
  metroCode      BIGINT,
  namespace      VARCHAR,
  page           VARCHAR,
  regionIsoCode  VARCHAR,
  regionName     VARCHAR,
  user           VARCHAR,
  delta          BIGINT,
  added          BIGINT,
  deleted        BIGINT,
  WATERMARK FOR time AS time - INTERVAL '1' SECOND
) WITH (connector = 'file',
        path = '../shared/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz');

-- NYC yellow-cab trips, 10,000 a month from January to March 2019, three files read as one
-- stream. Times are New York local time. Each month is in random order, and one March trip
-- starts on 12 April: trips come up to 43 days behind the newest one before them.
CREATE STREAM taxi (
  vendor_id             BIGINT,
  pickup_datetime       TIMESTAMP,
  dropoff_datetime      TIMESTAMP,
  passenger_count       BIGINT,
  trip_distance         DOUBLE,
  rate_code_id          BIGINT,
  store_and_fwd_flag    VARCHAR,
  pickup_location_id    BIGINT,
  dropoff_location_id   BIGINT,
  payment_type          BIGINT,
  fare_amount           DOUBLE,
  extra                 DOUBLE,
  mta_tax               DOUBLE,
  tip_amount            DOUBLE,
  tolls_amount          DOUBLE,
  improvement_surcharge DOUBLE,
  total_amount          DOUBLE,
  congestion_surcharge  DOUBLE,
  WATERMARK FOR pickup_datetime AS pickup_datetime - INTERVAL '43' DAY
) WITH (connector = 'file',
        path = '../shared/data/nyc-taxi-yellow/yellow_tripdata_sample_2019-*.csv',
        timezone = 'America/New_York');

-- Invoice lines of a UK online shop, one file a day in December 2010 (UK time is UTC in
-- winter), sorted by minute with many ties.
CREATE STREAM retail (
  InvoiceNo   VARCHAR,      -- a C in front marks a cancellation
  StockCode   VARCHAR,
  Description VARCHAR,
  Quantity    BIGINT,       -- negative for returns
  InvoiceDate TIMESTAMP,
  UnitPrice   DOUBLE,
  CustomerID  DOUBLE,       -- empty (NULL) on 37% of the lines
  Country     VARCHAR,
  WATERMARK FOR InvoiceDate AS InvoiceDate - INTERVAL '1' MINUTE
) WITH (connector = 'file', path = '../shared/data/online-retail/by-day/*.csv',
        timezone = 'Europe/London');

-- An Apache access log in the combined format, one request a line. Each hour's requests come
-- in a burst, out of order by up to 59 seconds; one line is cut short and is reported as
-- malformed. A byte count of "-" is NULL.
CREATE STREAM apache (
  client   VARCHAR,
  ident    VARCHAR,
  userid   VARCHAR,
  time     TIMESTAMP,
  method   VARCHAR,
  path     VARCHAR,
  protocol VARCHAR,
  status   BIGINT,
  bytes    BIGINT,
  referrer VARCHAR,
  agent    VARCHAR,
  WATERMARK FOR time AS time - INTERVAL '1' MINUTE
) WITH (connector = 'file', path = '../shared/data/apache-logs/apache_logs', format = 'regex',
        pattern = '^(?P<client>\S+) (?P<ident>\S+) (?P<userid>\S+) \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+) (?P<protocol>[^"]+)" (?P<status>\d{3}) (?P<bytes>\d+|-) "(?P<referrer>[^"]*)" "(?P<agent>[^"]*)"$',
        null = '-');

-- Northern California earthquakes of 2016, times in UTC written 2016/01/01 00:30:04.91,
-- sorted.
CREATE STREAM earthquakes (
  DateTime   TIMESTAMP,
  Latitude   DOUBLE,
  Longitude  DOUBLE,
  Depth      DOUBLE,
  Magnitude  DOUBLE,
  MagType    VARCHAR,
  NbStations BIGINT,
  Gap        BIGINT,
  Distance   BIGINT,
  RMS        DOUBLE,
  Source     VARCHAR,
  EventID    VARCHAR,
  WATERMARK FOR DateTime AS DateTime - INTERVAL '1' SECOND
) WITH (connector = 'file', path = '../shared/data/ncedc-earthquakes/earthquakes.txt');

-- The Numenta Anomaly Benchmark's 31 real series, read as one stream with the file of each
-- row. Each file is sorted but one, which repeats an hour (55 minutes of disorder); the
-- files cover different periods, so that the stream as a whole goes back up to 295 days
-- when one file ends and the next begins.
CREATE STREAM nab (
  timestamp TIMESTAMP,
  value     DOUBLE,
  filename  VARCHAR,        -- filled by the source: filename = true
  WATERMARK FOR timestamp AS timestamp - INTERVAL '295' DAY
) WITH (connector = 'file', path = '../shared/data/nab/*/*.csv', filename = true);

-- Requests and bytes per minute.
SELECT window_start, count(*) AS requests, sum(bytes) AS bytes
FROM nasa
GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE);

-- Edits and bytes added per channel and hour.
SELECT window_start, channel, count(*) AS edits, sum(added) AS added
FROM wikipedia
GROUP BY channel, TUMBLE(time, INTERVAL '1' HOUR);

-- Trips and fares per day.
SELECT window_start, count(*) AS trips, avg(fare_amount) AS avg_fare,
       p90(trip_distance) AS p90_miles
FROM taxi
GROUP BY TUMBLE(pickup_datetime, INTERVAL '1' DAY);

-- Revenue per country and hour.
SELECT window_start, Country, count(*) AS lines, sum(Quantity * UnitPrice) AS revenue
FROM retail
GROUP BY Country, TUMBLE(InvoiceDate, INTERVAL '1' HOUR);

-- Requests per status and minute.
SELECT window_start, status, count(*) AS requests, sum(bytes) AS bytes
FROM apache
GROUP BY status, TUMBLE(time, INTERVAL '1' MINUTE);

-- Earthquakes and the largest magnitude per day.
SELECT window_start, count(*) AS quakes, max(Magnitude) AS max_magnitude
FROM earthquakes
GROUP BY TUMBLE(DateTime, INTERVAL '1' DAY);

-- Daily mean and peak of each series.
SELECT window_start, filename, count(*) AS points, avg(value) AS mean, max(value) AS peak
FROM nab
GROUP BY filename, TUMBLE(timestamp, INTERVAL '1' DAY);
