//! Reception days (接待日) held versus planned: recorded as meetings of kind
//! `reception`, counted by the rule of `domain::reception` in the cockpit's station
//! management (page and export), marked held from the list, refused at another
//! station, and created through the records API.

use std::collections::HashMap;

use minyi::actions::{cockpit, meetings, units};
use minyi::db::PageRequest;
use minyi::domain::meeting::{MeetingFields, MeetingKind, parse_start};
use minyi::domain::rates::Period;
use minyi::domain::reception::{self, ReceptionCount, ReceptionDay};
use minyi::domain::user::Scope;
use minyi::error::Error;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{actor, engines, load_demo};

const DEMO_PASSWORD: &str = "minyi-demo-2026";

fn day(unit_code: &str, starts_at: &str, state: &str, citizens: &str) -> MeetingFields {
    MeetingFields {
        unit_code: unit_code.into(),
        kind: "reception".into(),
        title: "代表接待日".into(),
        starts_at: starts_at.into(),
        place: "联络站接待室".into(),
        state: state.into(),
        citizens: citizens.into(),
        ..MeetingFields::default()
    }
}

fn count(planned: i64, held: i64) -> ReceptionCount {
    ReceptionCount { planned, held }
}

#[tokio::test]
async fn the_cockpit_counts_reception_days_held_versus_planned_as_the_rule_says() {
    for t in engines().await {
        load_demo(&t).await;
        let e = t.engine;
        let office = actor(&t, "office").await;
        let (from, to) = ("2026-02-01", "2026-03-31");
        // Two stations with no reception days of the demo's.
        let before = cockpit::overview(&t.app, &office, "", from, to).await.unwrap();
        let fresh: Vec<String> = before
            .station_activity
            .iter()
            .filter(|s| !before.reception.contains_key(&s.id))
            .map(|s| s.id.clone())
            .take(2)
            .collect();
        let code = async |id: &str| units::get(&t.app, &office, id).await.unwrap().input.code;
        let (a, b) = (fresh[0].clone(), fresh[1].clone());
        let (a_code, b_code) = (code(&a).await, code(&b).await);
        let save = async |fields: MeetingFields| meetings::save(&t.app, &office, None, &fields).await.unwrap();

        // Today is 2026-03-02 09:00 (China time).
        save(day(&a_code, "2026-02-10 09:00", "held", "5")).await; // held
        save(day(&a_code, "2026-02-20 09:00", "planned", "")).await; // past, never marked held
        let in_time = save(day(&a_code, "2026-03-05 09:00", "planned", "")).await; // cancelled before its day
        let on_day = save(day(&a_code, "2026-03-06 09:00", "planned", "")).await; // cancelled on its day
        let marked = save(day(&a_code, "2026-03-03 09:00", "planned", "")).await; // marked held afterwards
        save(day(&a_code, "2026-01-20 09:00", "held", "")).await; // before the period
        save(day(&a_code, "2026-03-20 09:00", "planned", "")).await; // in the period, still ahead
        save(day(&b_code, "2026-02-12 15:00", "held", "3")).await; // another station
        // A meeting of another kind is not a reception day.
        save(MeetingFields { kind: "deliberation".into(), ..day(&a_code, "2026-02-11 09:00", "held", "") }).await;
        meetings::set_active(&t.app, &office, &in_time, false).await.unwrap();
        t.clock.set(parse_start("t", "2026-03-06 10:00").unwrap());
        meetings::set_active(&t.app, &office, &on_day, false).await.unwrap();
        meetings::mark_held(&t.app, &office, &marked, "7", "王建国").await.unwrap();
        let held = meetings::get(&t.app, &office, &marked).await.unwrap();
        assert_eq!((held.input.citizens, held.input.representatives.as_str()), (7, "王建国"), "{e}");
        t.clock.set(parse_start("t", "2026-03-09 18:00").unwrap());

        let o = cockpit::overview(&t.app, &office, "", from, to).await.unwrap();
        assert_eq!(o.reception.get(&a), Some(&count(4, 2)), "{e}: held, never held, cancelled on the day, marked");
        assert_eq!(o.reception.get(&b), Some(&count(1, 1)), "{e}");
        // The demo's: its first station 2 held of 4 due (one a week ago never marked, one
        // today), its second 1 held of 1 due (the other is ahead).
        assert_eq!(o.reception_total, count(4 + 1 + 4 + 1, 2 + 1 + 2 + 1), "{e}: {:?}", o.reception);

        // The same figures from the rule in `domain::reception` over every stored day.
        let all = meetings::list(&t.app, &office, "", PageRequest::new(1, 500)).await.unwrap();
        let days: Vec<ReceptionDay> = all
            .items
            .iter()
            .filter(|m| m.input.kind == MeetingKind::Reception)
            .map(|m| ReceptionDay {
                unit_id: m.unit_id.clone(),
                starts_at: m.input.starts_at,
                state: m.input.state,
                cancelled_at: m.cancelled_at,
            })
            .collect();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        let period = Period::parse(from, to, today).unwrap();
        let expected: HashMap<String, ReceptionCount> = reception::tally(&days, &period, today).into_iter().collect();
        assert_eq!(o.reception, expected, "{e}");

        // The station-management table and its export show them; the total line too.
        let server = crate::http::spawn(t.app.clone()).await;
        server.login("office", DEMO_PASSWORD).await;
        let (status, page, _) = server.page(&format!("/cockpit?from={from}&to={to}")).await;
        assert_eq!(status, 200, "{e}: {page}");
        assert!(page.contains("接待日：计划 10 次，已举行 6 次"), "{e}");
        assert!(page.contains("接待日（计划）") && page.contains("接待日（已举行）"), "{e}");
        let a_name = units::get(&t.app, &office, &a).await.unwrap().input.name;
        let href = format!("/admin/meetings?q={}", minyi::web::pages::urlencode(&a_name));
        assert!(page.contains(&format!("<a href=\"{href}\">4</a></td><td><a href=\"{href}\">2</a>")), "{e}: {page}");
        let csv = server.get(&format!("/cockpit/export/station-activity/csv?from={from}&to={to}")).await;
        assert_eq!(csv.status(), 200, "{e}");
        let csv = csv.text().await.unwrap();
        assert!(csv.lines().next().unwrap().ends_with("接待日（计划）,接待日（已举行）"), "{e}: {csv}");
        assert!(csv.lines().any(|l| l.starts_with(&a_name) && l.ends_with(",4,2")), "{e}: {csv}");
    }
}

#[tokio::test]
async fn a_keeper_records_the_stations_own_reception_days_only() {
    for t in engines().await {
        load_demo(&t).await;
        let e = t.engine;
        let keeper = actor(&t, "keeper").await;
        let Scope::Unit { unit_id, .. } = keeper.scope().clone() else { panic!("a keeper") };
        let studio_keeper = actor(&t, "studio-keeper").await;
        let Scope::Unit { unit_id: studio_id, .. } = studio_keeper.scope().clone() else { panic!("a keeper") };
        let studio_code = units::get(&t.app, &studio_keeper, &studio_id).await.unwrap().input.code;

        // Not for another station: neither to plan, nor to mark held, nor to move there.
        let elsewhere = meetings::save(&t.app, &keeper, None, &day(&studio_code, "2026-03-10 09:00", "", "")).await;
        assert!(matches!(elsewhere, Err(Error::Forbidden)), "{e}: {elsewhere:?}");
        let theirs = meetings::save(&t.app, &studio_keeper, None, &day("", "2026-03-10 09:00", "", "")).await.unwrap();
        let marked = meetings::mark_held(&t.app, &keeper, &theirs, "3", "").await;
        assert!(matches!(marked, Err(Error::Forbidden)), "{e}: {marked:?}");
        let mine = meetings::save(&t.app, &keeper, None, &day("", "2026-03-10 09:00", "", "")).await.unwrap();
        assert_eq!(meetings::get(&t.app, &keeper, &mine).await.unwrap().unit_id, unit_id, "{e}");
        let moved = meetings::save(&t.app, &keeper, Some(&mine), &day(&studio_code, "2026-03-10 09:00", "", "")).await;
        assert!(matches!(moved, Err(Error::Forbidden)), "{e}: {moved:?}");
        let wrong = meetings::mark_held(&t.app, &keeper, &mine, "十来个", "").await;
        assert_eq!(crate::support::invalid_fields(e, wrong), ["citizens"]);

        // The form offers the kind and what a held day records.
        let server = crate::http::spawn(t.app.clone()).await;
        server.login("keeper", DEMO_PASSWORD).await;
        let (_, form, _) = server.page("/admin/meetings/new").await;
        assert!(form.contains("<option value=\"reception\"") && form.contains(">接待日</option>"), "{e}: {form}");
        assert!(form.contains("name=\"citizens\" type=\"number\"") && form.contains("接待代表"), "{e}: {form}");
        let (_, list, _) = server.page("/admin/meetings").await;
        assert!(list.contains("<td>接待日</td>"), "{e}: the kind is named in the list: {list}");

        // From the list: one form per planned row, no question asked.
        let (_, list, csrf) = server.page("/admin/meetings").await;
        let action = format!("/admin/meetings/{mine}/held");
        assert!(list.contains(&format!("action=\"{action}\"")) && list.contains("接待日"), "{e}: {list}");
        let done = server.post_form(&action, &[("csrf", &csrf), ("citizens", "11")]).await;
        assert_eq!(done.status(), 303, "{e}");
        let held = meetings::get(&t.app, &keeper, &mine).await.unwrap();
        assert_eq!((held.input.state.as_str(), held.input.citizens), ("held", 11), "{e}");
        let (_, list, _) = server.page("/admin/meetings").await;
        assert!(!list.contains(&format!("action=\"{action}\"")), "{e}: a held day has no form");
        let (_, log, _) = {
            server.login("office", DEMO_PASSWORD).await;
            server.page("/admin/log").await
        };
        assert!(log.contains("标记已召开"), "{e}: marking held is logged");
        // Without the CSRF field, nothing happens.
        let theirs_action = format!("/admin/meetings/{theirs}/held");
        assert_ne!(server.post_form(&theirs_action, &[("citizens", "1")]).await.status(), 303, "{e}");
    }
}

#[tokio::test]
async fn the_station_page_shows_the_next_reception_day() {
    let t = crate::support::sqlite().await;
    load_demo(&t).await;
    let keeper = actor(&t, "keeper").await;
    let Scope::Unit { unit_id, .. } = keeper.scope().clone() else { panic!("a keeper") };
    let target = minyi::actions::codes::CodeTarget::Unit(unit_id);
    let code = minyi::actions::codes::code_for(&t.app, &keeper, &target).await.unwrap();
    let server = crate::http::spawn(t.app.clone()).await;
    // The demo plans the station's next one a week ahead (2026-03-09), past ones are not shown.
    let (_, page, _) = server.page(&format!("/q/{code}")).await;
    assert!(page.contains("下次接待日</dt><dd>2026-03-09 09:00"), "{page}");
    // An earlier one planned now comes first; once cancelled, the week-ahead one is next again.
    let sooner = meetings::save(&t.app, &keeper, None, &day("", "2026-03-04 14:30", "", "")).await.unwrap();
    let (_, page, _) = server.page(&format!("/q/{code}")).await;
    assert!(page.contains("下次接待日</dt><dd>2026-03-04 14:30"), "{page}");
    meetings::set_active(&t.app, &keeper, &sooner, false).await.unwrap();
    let (_, page, _) = server.page(&format!("/q/{code}")).await;
    assert!(page.contains("下次接待日</dt><dd>2026-03-09 09:00"), "{page}");
}

#[tokio::test]
async fn the_records_api_creates_a_reception_day_and_marks_it_held() {
    let server = crate::http_api::spawn().await;
    let token = server.token_for("keeper").await;
    let body = json!({"kind": "reception", "title": "代表接待日", "starts_at": "2026-03-12 09:00",
        "place": "联络站接待室", "citizens": "", "representatives": ""});
    let (status, created) = server.bearer_post(&token, "/api/v1/records/meetings", &body, None).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().expect("an id").to_string();
    assert_eq!(created["fields"]["kind"], "reception", "{created}");
    assert_eq!(created["fields"]["state"], "planned", "{created}");
    let held = json!({"citizens": "14", "representatives": "王建国、李秀英"});
    let (status, after) = server.bearer_post(&token, &format!("/api/v1/records/meetings/{id}/held"), &held, None).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["fields"]["state"], "held", "{after}");
    assert_eq!(after["fields"]["citizens"], "14", "{after}");
    assert_eq!(after["fields"]["representatives"], "王建国、李秀英", "{after}");
    // Only meetings are marked held; a bad count is named.
    let (status, _) = server.bearer_post(&token, &format!("/api/v1/records/units/{id}/held"), &held, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let bad = json!({"citizens": "many"});
    let (status, refused) =
        server.bearer_post(&token, &format!("/api/v1/records/meetings/{id}/held"), &bad, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.to_string().contains("citizens"), "{refused}");
}
