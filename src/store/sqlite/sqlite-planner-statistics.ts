import type Database from 'better-sqlite3';
import { allEventTypes } from '../../catalog/catalog-registry.js';

/**
 * Planner statistics for `audit_events`, written into `sqlite_stat1` from what Attest already keeps, instead
 * of sampled by ANALYZE.
 *
 * ANALYZE with an `analysis_limit` reads only the first entries of each index, which all belong to one
 * organization, so it concludes that an actor narrows nothing and, for "actor + rare type", walks the type
 * index of a whole month (hundreds of milliseconds at 5 million events). A full ANALYZE reads every index of
 * a large log for a minute. The shape of the log is known instead: events per organization (from the
 * log heads), per actor (the actor list), per type and per action (the catalog). Reading it is a few hundred
 * rows, whatever the size of the log. SQLite documents
 * `sqlite_stat1` as writable for exactly this (https://sqlite.org/fileformat2.html#stat1tab); each row is
 * "rows, then the average rows per distinct value of each index prefix".
 */
export function writeAuditEventStatistics(db: Database.Database): void {
  const orgs = db
    .prepare(
      `select h.next_seq as events, (select count(*) from audit_actors a where a.org_id = h.org_id) as actors
       from org_log_heads h where h.next_seq > 0`,
    )
    .all() as Array<{ events: number; actors: number }>;
  const events = Math.max(
    1000,
    orgs.reduce((sum, o) => sum + o.events, 0),
  );
  // Averages weighted by events: what a query meets is mostly the large organizations (one of 5 million
  // events beside a hundred of 50,000 should look like the large one, not like the mean of 101).
  const weighted = (perEvent: (o: { events: number; actors: number }) => number) =>
    Math.max(1, Math.round(orgs.reduce((sum, o) => sum + o.events * perEvent(o), 0) / events));
  const perOrg = weighted((o) => o.events);
  const perActor = weighted((o) => o.events / Math.max(1, o.actors));
  const per = (distinctPerOrg: number) => Math.max(1, Math.round(perOrg / distinctPerOrg));
  const stats: Record<string, string> = {
    sqlite_autoindex_audit_events_1: `${events} ${perOrg} 1`,
    audit_events_log_id: `${events} 1`,
    audit_events_by_time: `${events} ${perOrg} 1 1 1`,
    audit_events_by_type: `${events} ${perOrg} ${per(allEventTypes().length)} 1 1`,
    audit_events_by_actor_email: `${events} ${perOrg} ${perActor} 1 1 1`,
    audit_events_by_expiry: `${events} 1`,
  };
  const write = db.transaction(() => {
    const remove = db.prepare('delete from sqlite_stat1 where tbl = ? and idx = ?');
    const insert = db.prepare("insert into sqlite_stat1 (tbl, idx, stat) values ('audit_events', ?, ?)");
    for (const [index, stat] of Object.entries(stats)) {
      remove.run('audit_events', index);
      insert.run(index, stat);
    }
  });
  write();
}
