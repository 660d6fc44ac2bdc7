//! Bulk writing of a synthetic province and its cases (`minyi synth`): multi-row
//! INSERTs (`bulk_insert!`), many rows a statement and many statements a transaction.

use super::cases::date_text;
use super::{DbResult, Tx};
use crate::domain::case::Grade;
use crate::synth::province::Province;
use crate::synth::reception::SynthReception;
use crate::synth::story::SynthCase;

/// Whether a region with this code exists (a synthetic province is written once).
pub async fn region_code_exists(tx: &mut Tx, code: &str) -> DbResult<bool> {
    Ok(scalar!(tx, i64, "SELECT COUNT(*) FROM regions WHERE code = $1", code)? > 0)
}

/// Writes the regions, departments, units, representatives and who serves where.
pub async fn insert_province(tx: &mut Tx, p: &Province, now: i64) -> DbResult<()> {
    bulk_insert!(
        tx,
        "INSERT INTO regions (id, code, name, level, parent_id, path, active, created_at, updated_at) ",
        9,
        p.regions,
        |b, r| {
            b.push_bind(&r.id)
                .push_bind(&r.code)
                .push_bind(&r.name)
                .push_bind(r.level)
                .push_bind(r.parent.map(|i| p.regions[i].id.as_str()))
                .push_bind(&r.path)
                .push_bind(true)
                .push_bind(now)
                .push_bind(now);
        }
    );
    bulk_insert!(
        tx,
        "INSERT INTO departments (id, code, name, region_id, fields, supervising_office, contact_phone, active,
             created_at, updated_at) ",
        10,
        p.departments,
        |b, d| {
            let office = p.regions[p.regions[d.region].parent.unwrap_or(d.region)].name.clone();
            b.push_bind(&d.id)
                .push_bind(&d.code)
                .push_bind(&d.name)
                .push_bind(&p.regions[d.region].id)
                .push_bind(d.category)
                .push_bind(format!("{office}人民政府办公室"))
                .push_bind("")
                .push_bind(true)
                .push_bind(now)
                .push_bind(now);
        }
    );
    bulk_insert!(
        tx,
        "INSERT INTO units (id, code, kind, studio_kind, name, region_id, address, opening_hours, reception_days,
             contact_name, contact_phone, service_fields, sector, online, active, created_at, updated_at) ",
        17,
        p.units,
        |b, u| {
            b.push_bind(&u.id)
                .push_bind(&u.code)
                .push_bind(u.kind)
                .push_bind(u.studio_kind)
                .push_bind(&u.name)
                .push_bind(&p.regions[u.region].id)
                .push_bind(format!("{}便民服务中心", p.regions[u.region].name))
                .push_bind("周一至周五 8:30-17:00")
                .push_bind("每月15日")
                .push_bind("")
                .push_bind("")
                .push_bind("")
                .push_bind(&u.sector)
                .push_bind(false)
                .push_bind(true)
                .push_bind(now)
                .push_bind(now);
        }
    );
    bulk_insert!(
        tx,
        "INSERT INTO representatives (id, code, body, name, gender, level, sector, region_id, title, mobile, profile,
             active, created_at, updated_at) ",
        14,
        p.representatives,
        |b, r| {
            b.push_bind(&r.id)
                .push_bind(&r.code)
                .push_bind(r.body)
                .push_bind(&r.name)
                .push_bind(r.gender)
                .push_bind(r.level)
                .push_bind(&p.units[r.unit].sector)
                .push_bind(&p.regions[r.region].id)
                .push_bind("")
                .push_bind(&r.mobile)
                .push_bind("")
                .push_bind(true)
                .push_bind(now)
                .push_bind(now);
        }
    );
    bulk_insert!(tx, "INSERT INTO unit_representatives (unit_id, representative_id) ", 2, p.representatives, |b, r| {
        b.push_bind(&p.units[r.unit].id).push_bind(&r.id);
    });
    Ok(())
}

/// Writes reception days (meetings of kind `reception`) of the province's stations.
pub async fn insert_reception_days(tx: &mut Tx, p: &Province, days: &[SynthReception], now: i64) -> DbResult<()> {
    bulk_insert!(
        tx,
        "INSERT INTO meetings (id, unit_id, kind, title, starts_at, place, agenda, state, citizens, representatives,
             cancelled_at, created_at, updated_at) ",
        13,
        days,
        |b, d| {
            let unit = &p.units[d.unit];
            b.push_bind(&d.id)
                .push_bind(&unit.id)
                .push_bind("reception")
                .push_bind("代表接待日")
                .push_bind(d.starts_at)
                .push_bind(format!("{}接待室", unit.name))
                .push_bind("")
                .push_bind(d.state.as_str())
                .push_bind(d.citizens)
                .push_bind(&d.representatives)
                .push_bind(d.cancelled_at)
                .push_bind(now)
                .push_bind(d.cancelled_at.unwrap_or(now));
        }
    );
    Ok(())
}

/// Writes a batch of cases, their assignments and their (already numbered and
/// chained) events, and moves the chain head to the last of them.
pub async fn insert_cases(tx: &mut Tx, batch: &[SynthCase]) -> DbResult<()> {
    let cases: Vec<_> = batch.iter().map(|s| (&s.case, None)).collect();
    super::cases::insert_many(tx, &cases).await?;
    super::open_due::added(tx, batch.iter().map(|s| &s.case)).await?;
    let assignments: Vec<_> = batch.iter().flat_map(|s| s.assignments.iter()).collect();
    bulk_insert!(
        tx,
        "INSERT INTO assignments (id, case_id, department_id, role, state, due_date, requested_due, note, result, grade,
             rework_count, returned, created_at, updated_at, submitted_at, completed_at) ",
        16,
        assignments,
        |b, pair| {
            let (a, updated_at) = pair;
            b.push_bind(&a.id)
                .push_bind(&a.case_id)
                .push_bind(&a.department_id)
                .push_bind(a.role.as_str())
                .push_bind(a.state.as_str())
                .push_bind(date_text(a.due))
                .push_bind(a.requested_due.map(date_text))
                .push_bind(&a.note)
                .push_bind(&a.result)
                .push_bind(a.grade.map(Grade::as_str))
                .push_bind(a.rework_count)
                .push_bind(a.returned)
                .push_bind(a.created_at)
                .push_bind(*updated_at)
                .push_bind(a.submitted_at)
                .push_bind(a.completed_at);
        }
    );
    let events: Vec<_> = batch.iter().flat_map(|s| s.events.iter()).collect();
    super::cases::insert_events(tx, &events).await?;
    if let Some(last) = events.last() {
        super::cases::move_chain(tx, &(last.seq, last.hash.clone())).await?;
    }
    Ok(())
}

/// How many cases, assignments and events the database holds.
pub async fn totals(tx: &mut Tx) -> DbResult<(i64, i64, i64)> {
    Ok((
        scalar!(tx, i64, "SELECT COUNT(*) FROM cases")?,
        scalar!(tx, i64, "SELECT COUNT(*) FROM assignments")?,
        scalar!(tx, i64, "SELECT COUNT(*) FROM case_events")?,
    ))
}

/// How many cases are in each state, by state name.
pub async fn cases_by_state(tx: &mut Tx) -> DbResult<Vec<(String, i64)>> {
    rows!(tx, (String, i64), "SELECT state, COUNT(*) FROM cases GROUP BY state ORDER BY state")
}

/// How many cases came by each channel, by channel name.
pub async fn cases_by_channel(tx: &mut Tx) -> DbResult<Vec<(String, i64)>> {
    rows!(tx, (String, i64), "SELECT channel, COUNT(*) FROM cases GROUP BY channel ORDER BY channel")
}
