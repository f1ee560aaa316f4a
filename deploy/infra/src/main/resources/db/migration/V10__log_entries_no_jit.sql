-- landslide_log_entries (V9) is planned far above PostgreSQL's JIT threshold: the planner guesses a thousand leaves
-- for each chunk's generate_series and 85 chunks for a tile's range, where a tile holds one or two chunks of at most
-- 256. With JIT on, compiling the plan took about 600 ms of a tile's read, for a query that runs in 3 ms. The function
-- runs without JIT (a SET clause also keeps it from being inlined into its callers' plans, so the setting holds).
ALTER FUNCTION landslide_log_entries(integer, bigint, bigint) SET jit = off;
