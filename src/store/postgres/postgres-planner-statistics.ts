import { sql, type Kysely } from 'kysely';
import { STATISTICS_GROWTH_FRACTION, STATISTICS_GROWTH_MIN_ROWS } from '../planner-statistics-growth.js';

/**
 * ANALYZEs every table of Attest's schema (each partition of `audit_events` is a table of its own) that has
 * changed by {@link STATISTICS_GROWTH_FRACTION} of its rows since its statistics were last taken, counted by
 * PostgreSQL itself (`n_mod_since_analyze`, which sees every process's writes, a bulk load too), so Attest
 * does not depend on autovacuum being on or keeping up. After a bulk load the planner otherwise works from a
 * histogram that ends before the new rows and estimates a few rows for a range of hundreds of thousands
 * (issue 15: a bitmap scan and a sort of the whole range instead of walking the time index).
 *
 * An ANALYZE samples at most 30,000 rows of a table whatever its size; a partitioned log analyzes only the
 * weeks that changed. Returns the tables analyzed.
 */
export async function analyzeGrownTables<DB>(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select s.relname as name
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid
     where s.schemaname = current_schema() and c.relkind = 'r'
       and s.n_mod_since_analyze >= ${STATISTICS_GROWTH_MIN_ROWS} + ${STATISTICS_GROWTH_FRACTION} * greatest(c.reltuples, 0)
     order by s.relname`.execute(db);
  for (const { name } of rows) await sql`analyze ${sql.table(name)}`.execute(db);
  return rows.map((row) => row.name);
}
