-- PostgREST's spec rows whose literals are PostgreSQL's own: arrays, ranges, text search
-- vectors, oids, sequences, and the tables only PostgreSQL has here (partitions, a composite
-- type's, arrays read by their subscripts).
UPDATE complex_items SET arr_data = '{1}' WHERE id = 1;
UPDATE complex_items SET arr_data = '{1,2}' WHERE id = 2;
UPDATE complex_items SET arr_data = '{1,2,3}' WHERE id = 3;
UPDATE entities SET arr = '{1}' WHERE id = 1;
UPDATE entities SET arr = '{1,2}' WHERE id = 2;
UPDATE entities SET arr = '{1,2,3}' WHERE id = 3;
-- the rows in the order PostgREST's fixture inserts them (an update moves a row to the end of
-- its table, and a view's json_agg without ORDER BY aggregates in the table's order)
CLUSTER entities USING entities_pkey;
INSERT INTO ranges (id, range) VALUES (1, '[1,3]'), (2, '[3,6]'), (3, '[6,9]'), (4, '[9,12]'), (5, NULL);
INSERT INTO tsearch (text_search_vector) VALUES
  (to_tsvector('It''s kind of fun to do the impossible')),
  (to_tsvector('But also fun to do what is possible')),
  (to_tsvector('Fat cats ate rats')),
  (to_tsvector('french', 'C''est un peu amusant de faire l''impossible')),
  (to_tsvector('german', 'Es ist eine Art Spaß, das Unmögliche zu machen'));
INSERT INTO tsearch_to_tsvector (text_search) VALUES ('It''s kind of fun to do the impossible'),
  ('But also fun to do what is possible'), ('Fat cats ate rats'),
  ('C''est un peu amusant de faire l''impossible'), ('Es ist eine Art Spaß, das Unmögliche zu machen');
UPDATE tsearch_to_tsvector SET jsonb_search = jsonb_build_object('text_search', text_search);
UPDATE tsearch_to_tsvector SET text_search_domain = to_tsvector('simple', text_search);
UPDATE tsearch_to_tsvector SET text_search_rec_domain = to_tsvector('simple', text_search);
INSERT INTO oid_test (id, oid_col, oid_array_col) VALUES (1, '12345', '{1,2,3,4,5}'::oid[]);
INSERT INTO fav_numbers (num, person) VALUES (ROW(0.5, 0.5), 'A'), (ROW(0.6, 0.6), 'B');
INSERT INTO arrays (id, numbers, numbers_mult) VALUES (0, '{1,2,3}', '{{1,2,3},{4,5,6},{7,8,9}}'),
  (1, '{11,12,13}', '{{11,12,13},{14,15,16},{17,18,19}}');
INSERT INTO contract (tournament, time, purchase_price, id, first_name, last_name, birth_date)
SELECT 'tournament_' || n, tsrange(now()::timestamp, NULL), 10 * n, n, 'first_name_' || n,
       'last_name_' || n, '2018-10-11'
FROM generate_series(1, 6) n;
INSERT INTO car_brands (name) VALUES ('DMC'), ('Ferrari'), ('Lamborghini');
INSERT INTO car_models (name, year, car_brand_name) VALUES ('DeLorean', 1981, 'DMC'),
  ('F310-B', 1997, 'Ferrari'), ('Veneno', 2013, 'Lamborghini'), ('Murcielago', 2001, 'Lamborghini');
INSERT INTO car_model_sales (date, quantity, car_model_name, car_model_year) VALUES
  ('2021-01-14', 7, 'DeLorean', 1981), ('2021-01-15', 9, 'DeLorean', 1981),
  ('2021-02-11', 1, 'Murcielago', 2001), ('2021-02-12', 3, 'Murcielago', 2001);
INSERT INTO car_racers (name) VALUES ('Alain Prost');
INSERT INTO car_racers (name, car_model_name, car_model_year) VALUES ('Michael Schumacher', 'F310-B', 1997);
INSERT INTO car_dealers (name, city) VALUES ('Springfield Cars S.A.', 'Springfield'),
  ('The Best Deals S.A.', 'Franklin');
INSERT INTO car_models_car_dealers (car_model_name, car_model_year, car_dealer_name, car_dealer_city, quantity)
  VALUES ('DeLorean', 1981, 'Springfield Cars S.A.', 'Springfield', 15),
  ('Murcielago', 2001, 'The Best Deals S.A.', 'Franklin', 2);
REFRESH MATERIALIZED VIEW materialized_projects;
-- the sequences PostgREST's rows set (its rows give the keys, not the sequences), and the rows
-- of the tables only PostgreSQL has here
SELECT setval('items_id_seq', 15, true);
SELECT setval('items2_id_seq', 15, true);
SELECT setval('auto_incrementing_pk_id_seq', 1, true);
INSERT INTO "Surr_Gen_Default_Upsert" (name, extra) VALUES ('value cs', 'existing value cs');
