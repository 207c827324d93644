-- PostgREST's spec rows whose PostgreSQL literals have another form on SQLite: arrays are JSON
-- arrays, text search vectors their text, ranges of time their bounds as text, a sequence a row
-- of sqlite_sequence.
UPDATE complex_items SET arr_data = '[1]' WHERE id = 1;
UPDATE complex_items SET arr_data = '[1,2]' WHERE id = 2;
UPDATE complex_items SET arr_data = '[1,2,3]' WHERE id = 3;
UPDATE entities SET arr = '[1]' WHERE id = 1;
UPDATE entities SET arr = '[1,2]' WHERE id = 2;
UPDATE entities SET arr = '[1,2,3]' WHERE id = 3;
WITH RECURSIVE n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < 6)
INSERT INTO contract (tournament, time, purchase_price, id, first_name, last_name, birth_date)
SELECT 'tournament_' || n, '[' || strftime('%Y-%m-%d %H:%M:%f', 'now') || ',)', 10 * n, n,
       'first_name_' || n, 'last_name_' || n, '2018-10-11'
FROM n;
-- the sequence of auto_incrementing_pk as PostgREST's rows set it (setval 1: the next key is 2)
INSERT INTO sqlite_sequence (name, seq) VALUES ('auto_incrementing_pk', 1);
