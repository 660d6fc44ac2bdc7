//! The cockpit's counters: maintained as events happen, equal to a rebuild from
//! the history, on every engine.

use chrono::Duration;
use minyi::actions::cases::{self, CaseRef, Who};
use minyi::actions::cockpit;
use minyi::db;
use minyi::domain::case::{AssignmentRole, CaseFields, CaseState, Grade};
use minyi::domain::region::RegionPath;
use minyi::domain::user::{Actor, Role, Scope};
use minyi::domain::workflow::{Move, NewAssignment};

use crate::support::{TestDb, engines, load_demo};

/// The first demo case that was forwarded: its addressee and its department.
pub(crate) async fn forwarded_demo_case(t: &TestDb) -> (minyi::domain::case::Case, String) {
    let mut tx = t.read().await;
    let filter = db::cases::InboxFilter { region_prefix: "/%".into(), ..Default::default() };
    let page = db::cases::inbox(&mut tx, &filter, db::PageRequest { number: 1, size: 400 }).await.expect("inbox");
    for case in page.items {
        let assignments = db::cases::assignments(&mut tx, &case.id).await.expect("assignments");
        if let Some(a) = assignments.first() {
            return (case, a.department_id.clone());
        }
    }
    panic!("{}: the demo has no forwarded case", t.engine)
}

pub(crate) fn receiver_of(case: &minyi::domain::case::Case) -> Actor {
    let path = RegionPath::from_stored(case.region_path.clone());
    match (&case.representative_id, &case.unit_id) {
        (Some(rep), _) => Actor::new(
            format!("t-{rep}"),
            "t".into(),
            "代表".into(),
            Role::Representative,
            Scope::Representative { representative_id: rep.clone(), path },
        ),
        (None, Some(unit)) => Actor::new(
            "t-keeper".into(),
            "t".into(),
            "联络站".into(),
            Role::UnitKeeper,
            Scope::Unit { unit_id: unit.clone(), path },
        ),
        (None, None) => None,
    }
    .expect("a receiver actor")
}

async fn handler_of(t: &TestDb, department_id: &str) -> Actor {
    let mut tx = t.read().await;
    let dept = db::departments::get(&mut tx, department_id).await.expect("get").expect("department");
    Actor::new(
        format!("t-{department_id}"),
        "t".into(),
        dept.input.name.clone(),
        Role::DepartmentHandler,
        Scope::Department { department_id: department_id.to_string(), path: dept.region_path.clone() },
    )
    .expect("a handler actor")
}

pub(crate) async fn submit_like(t: &TestDb, like: &minyi::domain::case::Case, body: &str) -> String {
    let fields = CaseFields {
        channel: "web".into(),
        representative_id: like.representative_id.clone().unwrap_or_default(),
        unit_id: if like.representative_id.is_none() {
            like.unit_id.clone().unwrap_or_default()
        } else {
            String::new()
        },
        category: "transport".into(),
        body: body.into(),
        ..Default::default()
    };
    cases::submit(&t.app, &fields).await.unwrap_or_else(|e| panic!("{}: submit: {e:?}", t.engine)).case_id
}

pub(crate) async fn make(t: &TestDb, case: &str, who: Who<'_>, mv: Move) {
    let what = format!("{mv:?}");
    cases::act(&t.app, who, CaseRef::Id(case), None, mv)
        .await
        .unwrap_or_else(|e| panic!("{}: {what} on {case}: {e:?}", t.engine));
}

async fn last_assignment(t: &TestDb, case: &str) -> String {
    let mut tx = t.read().await;
    db::cases::assignments(&mut tx, case).await.expect("assignments").last().expect("an assignment").id.clone()
}

/// A case through returns, an extension, a send-back, an unsatisfied rating by the
/// receiver, a reopening by the citizen; and one merged into another.
async fn hand_built_mix(t: &TestDb) {
    let (like, department_id) = forwarded_demo_case(t).await;
    let receiver = receiver_of(&like);
    let handler = handler_of(t, &department_id).await;
    let staff = Who::Staff;
    let case = submit_like(t, &like, "路口红绿灯时间太短，老人过马路来不及。").await;
    t.clock.advance_ms(3_600_000);
    make(t, &case, staff(&receiver), Move::Acknowledge).await;
    let forward = |days: i64| Move::Forward {
        assignments: vec![NewAssignment {
            department_id: department_id.clone(),
            role: AssignmentRole::Lead,
            due: t.app.today() + Duration::days(days),
            note: "请办理。".into(),
        }],
    };
    make(t, &case, staff(&receiver), forward(10)).await;
    let first = last_assignment(t, &case).await;
    make(t, &case, staff(&handler), Move::Return { assignment_id: first, reason: "非本单位职责。".into() }).await;
    t.clock.advance_ms(3_600_000);
    make(t, &case, staff(&receiver), forward(5)).await;
    let a = last_assignment(t, &case).await;
    make(t, &case, staff(&handler), Move::SignFor { assignment_id: a.clone() }).await;
    let new_due = t.app.today() + Duration::days(20);
    let extension =
        Move::RequestExtension { assignment_id: a.clone(), new_due, reason: "需要协调施工。".into() };
    make(t, &case, staff(&handler), extension).await;
    make(t, &case, staff(&receiver), Move::GrantExtension { assignment_id: a.clone() }).await;
    let submit_result = |a: &str| Move::SubmitResult { assignment_id: a.to_string(), result: "已调整。".into() };
    t.clock.advance_ms(86_400_000);
    make(t, &case, staff(&handler), submit_result(&a)).await;
    make(t, &case, staff(&receiver), Move::SendBack { assignment_id: a.clone(), reason: "请附照片。".into() }).await;
    make(t, &case, staff(&handler), submit_result(&a)).await;
    let rate = |grade| Move::RateResult { assignment_id: a.clone(), grade };
    make(t, &case, staff(&receiver), rate(Grade::Unsatisfied)).await;
    make(t, &case, staff(&handler), submit_result(&a)).await;
    make(t, &case, staff(&receiver), rate(Grade::Satisfied)).await;
    make(t, &case, staff(&receiver), Move::Answer { answer: "已调整信号灯配时。".into() }).await;
    make(t, &case, Who::Citizen, Move::CitizenRate { grade: Grade::Unsatisfied }).await;
    make(t, &case, staff(&receiver), Move::Reply { answer: "已再次延长绿灯时间。".into() }).await;
    make(t, &case, Who::Citizen, Move::CitizenRate { grade: Grade::Satisfied }).await;
    let mut tx = t.read().await;
    let state = db::cases::get(&mut tx, &case).await.expect("get").expect("case").state;
    assert_eq!(state, CaseState::Closed, "{}", t.engine);
    drop(tx);
    // A duplicate, merged into an open case.
    let kept = submit_like(t, &like, "菜市场门口占道经营严重。").await;
    let duplicate = submit_like(t, &like, "菜市场门口占道经营。").await;
    make(t, &duplicate, staff(&receiver), Move::Acknowledge).await;
    make(t, &duplicate, staff(&receiver), Move::Merge { into_case_id: kept }).await;
}

#[tokio::test]
async fn rebuilt_aggregates_equal_the_maintained_ones() {
    for t in engines().await {
        load_demo(&t).await;
        minyi::demo::load_demo_cases(&t.app).await.unwrap_or_else(|e| panic!("{}: demo cases: {e:?}", t.engine));
        let after_demo = cockpit::dump_aggregates(t.db()).await.expect("dump");
        assert!(after_demo.len() > 20, "{}: the demo fills the counters", t.engine);
        let words = after_demo.iter().filter(|l| l.starts_with("word ")).count();
        assert!(words > 50, "{}: the demo's texts give hot words ({words})", t.engine);
        let rebuilt = cockpit::rebuild_aggregates(t.db(), |_| {}).await.expect("rebuild");
        assert!(rebuilt.cases >= 300, "{}: {rebuilt:?}", t.engine);
        assert_eq!(cockpit::dump_aggregates(t.db()).await.expect("dump"), after_demo, "{}: after the demo", t.engine);

        hand_built_mix(&t).await;
        let maintained = cockpit::dump_aggregates(t.db()).await.expect("dump");
        assert_ne!(maintained, after_demo, "{}: the mix moved the counters", t.engine);
        cockpit::rebuild_aggregates(t.db(), |_| {}).await.expect("rebuild");
        assert_eq!(cockpit::dump_aggregates(t.db()).await.expect("dump"), maintained, "{}: after the mix", t.engine);
        // The mix's counters are what it did.
        let joined = maintained.join("\n");
        assert!(joined.contains("reopened: 1"), "{}", t.engine);
        assert!(joined.contains("ext_granted: 1"), "{}", t.engine);
        assert!(joined.contains("merged: 1"), "{}", t.engine);

        // Reporting progress in small chunks, with counters of a region no case is filed
        // at cleared away: the same counters, progress rising to the total.
        {
            let mut tx = t.db().write().await.expect("a write");
            let mut stray = minyi::db::aggregates::Additions::default();
            let key = minyi::db::aggregates::CaseKey {
                day: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                region_path: "/nowhere/".into(),
                channel: String::new(),
                category: String::new(),
                unit_id: String::new(),
                representative_id: String::new(),
            };
            stray.words(&key, &["幽灵".to_string()]);
            minyi::db::aggregates::apply(&mut tx, &stray).await.expect("a stray row");
            tx.commit().await.expect("commit");
        }
        assert_ne!(cockpit::dump_aggregates(t.db()).await.expect("dump"), maintained);
        let total = cockpit::cases_to_rebuild(t.db()).await.expect("a count");
        let mut steps = Vec::new();
        let rebuilt =
            cockpit::rebuild_aggregates_in_chunks(t.db(), small_chunks(40), &cockpit::Stop::default(), async |done| {
                steps.push(done)
            })
            .await
            .expect("rebuild");
        assert_eq!(rebuilt.cases, total, "{}", t.engine);
        assert!(steps.len() >= 3, "{}: progress in chunks: {steps:?}", t.engine);
        assert!(steps.windows(2).all(|w| w[0] < w[1]) && steps.last() == Some(&total), "{}: {steps:?}", t.engine);
        assert_eq!(cockpit::dump_aggregates(t.db()).await.expect("dump"), maintained, "{}: in chunks", t.engine);
    }
}

/// A rebuild while cases keep coming: new cases, and moves on cases the rebuild has
/// already counted and on ones it has not reached, each counted exactly once.
#[tokio::test]
async fn a_rebuild_while_cases_come_in_counts_each_event_once() {
    for t in engines().await {
        load_demo(&t).await;
        minyi::demo::load_demo_cases(&t.app).await.expect("demo cases");
        let (like, _) = forwarded_demo_case(&t).await;
        let receiver = receiver_of(&like);
        let staff = Who::Staff;
        let before: Vec<String> = {
            let mut tx = t.read().await;
            let filter =
                db::cases::InboxFilter { region_prefix: "/%".into(), status: "open".into(), ..Default::default() };
            let page =
                db::cases::inbox(&mut tx, &filter, db::PageRequest { number: 1, size: 400 }).await.expect("inbox");
            page.items.iter().filter(|c| c.state == CaseState::Received).map(|c| c.id.clone()).collect()
        };
        assert!(before.len() >= 6, "{}: demo cases waiting: {}", t.engine, before.len());
        // Between the rebuild's chunks (while none of its transactions is open): a new
        // case acknowledged, and an older case acknowledged, wherever the rebuild has got to.
        let mut steps = Vec::new();
        let mut waiting = before.iter().enumerate();
        let rebuilt =
            cockpit::rebuild_aggregates_in_chunks(t.db(), small_chunks(20), &cockpit::Stop::default(), async |done| {
                steps.push(done);
                let Some((i, older)) = waiting.next() else { return };
                let case = submit_like(&t, &like, &format!("第{i}件：小区门口路灯不亮，晚上出行不便。")).await;
                make(&t, &case, staff(&receiver), Move::Acknowledge).await;
                let owner = {
                    let mut tx = t.read().await;
                    db::cases::get(&mut tx, older).await.expect("get").expect("a case")
                };
                let owner = receiver_of(&owner);
                make(&t, older, Who::Staff(&owner), Move::Acknowledge).await;
            })
            .await;
        let rebuilt = rebuilt.unwrap_or_else(|e| panic!("{}: rebuild: {e:?}", t.engine));
        assert!(steps.len() >= 3, "{}: committed in chunks: {steps:?}", t.engine);
        assert!(rebuilt.replayed > 0, "{}: events came during the rebuild: {rebuilt:?}", t.engine);
        let concurrent = cockpit::dump_aggregates(t.db()).await.expect("dump");
        cockpit::rebuild_aggregates(t.db(), |_| {}).await.expect("a quiet rebuild");
        let quiet = cockpit::dump_aggregates(t.db()).await.expect("dump");
        assert_eq!(concurrent, quiet, "{}: counted once each", t.engine);
        // And the swap left the spare copy to the next rebuild, which gives the same again.
        cockpit::rebuild_aggregates(t.db(), |_| {}).await.expect("another rebuild");
        assert_eq!(cockpit::dump_aggregates(t.db()).await.expect("dump"), quiet, "{}", t.engine);
    }
}

/// Chunks of about `cases` cases, written 50 counter rows a transaction (so each chunk
/// takes several).
fn small_chunks(cases: i64) -> cockpit::Chunks {
    cockpit::Chunks { read_cases: cases, write_rows: 50, pause: std::time::Duration::ZERO }
}

fn region_of(actor: &Actor) -> String {
    match actor.scope() {
        Scope::Subtree { region_id, .. } => region_id.clone(),
        other => panic!("not an office: {other:?}"),
    }
}

/// The first `href="…"` on the page that starts with `prefix`.
fn first_link(html: &str, prefix: &str) -> Option<String> {
    let marker = format!("href=\"{prefix}");
    let start = html.find(&marker)? + "href=\"".len();
    Some(html[start..].split('"').next()?.replace("&amp;", "&"))
}

/// The number of cases a case list says it holds.
async fn listed_total(server: &crate::http::Server, href: &str) -> i64 {
    let (status, body, _) = server.page(href).await;
    assert_eq!(status, 200, "{href}: {body}");
    let start = body.find("data-total=\"").expect("the list's total") + "data-total=\"".len();
    body[start..].split('"').next().and_then(|n| n.parse().ok()).expect("a number")
}

#[tokio::test]
async fn the_office_opens_the_cockpit_drills_down_to_a_case_and_is_kept_to_its_scope() {
    for t in engines().await {
        office_journey(&t).await;
    }
}

async fn office_journey(t: &TestDb) {
    load_demo(t).await;
    minyi::demo::load_demo_cases(&t.app).await.expect("demo cases");
    let office = crate::support::actor(t, "office").await;
    let town_office = crate::support::actor(t, "town-office").await;
    let server = crate::http::spawn(t.app.clone()).await;
    server.login("office", "minyi-demo-2026").await;

    // The county over the demo's whole history: figures, rates, rankings, lists.
    let (status, body, _) = server.page("/cockpit?from=2025-01-01").await;
    assert_eq!(status, 200, "{body}");
    let overview = cockpit::overview(&t.app, &office, "", "2025-01-01", "").await.expect("overview");
    assert!(overview.total.received >= 300, "{:?}", overview.total);
    assert!(body.contains("响应率") && body.contains("解决率") && body.contains("满意率（群众评价）"));
    assert!(body.contains(&format!(">{}</a></td>", overview.total.received)), "the total is on the page");
    assert!(!overview.children.is_empty() && !overview.departments.is_empty());
    let by_children: i64 =
        overview.children.iter().map(|l| l.counts.received).sum::<i64>() + overview.own_level.received;
    assert_eq!(by_children, overview.total.received, "the towns add up to the county");

    // Station management: every station of the county, with scans and recent cases.
    assert!(!overview.station_activity.is_empty(), "the demo county has stations");
    assert!(body.contains("联络站管理") && body.contains("信息完整度"));
    let recent: i64 = overview.station_activity.iter().map(|s| s.recent_cases).sum();
    assert!(recent <= overview.total.received);

    // Charts: ECharts embedded in the binary, fed from the page; each repeats a table.
    assert!(body.contains("data-chart=") && body.contains("/static/vendor/echarts/echarts.common.min.js"));
    let echarts = server.get("/static/vendor/echarts/echarts.common.min.js").await;
    assert_eq!(echarts.status(), 200);
    assert!(echarts.text().await.unwrap().len() > 500_000, "the whole common build");
    assert_eq!(server.get("/static/cockpit.js").await.status(), 200);

    // Drill down: a town, then the oldest overdue case of the county, then its page.
    let first_town = &overview.children[0];
    let town = first_link(&body, &format!("/cockpit?region={}", first_town.key)).expect("a link to the first town");
    let (status, town_body, _) = server.page(&town).await;
    assert_eq!(status, 200, "{town}");
    assert!(town_body.contains(&format!("› <a href=\"/cockpit?region={}", first_town.key)), "the town is in the trail");
    let town_view = cockpit::overview(&t.app, &office, &first_town.key, "2025-01-01", "").await.expect("town");
    assert_eq!(town_view.total, first_town.counts, "the town's page sums what the county's row showed");
    // The town's figures link to the case list of the town: the same cases.
    let mut query = cases::InboxQuery::parse("", "", "", None).expect("a query");
    query.region_id = first_town.key.clone();
    let listed = cases::inbox(&t.app, &office, &query).await.expect("the town's cases");
    assert_eq!(listed.cases.total, first_town.counts.received, "every demo case lies in the period");
    let (status, _, _) = server.page(&format!("/cases?region={}", first_town.key)).await;
    assert_eq!(status, 200);
    // Every figure of a row links to the case list narrowed to exactly what it counts.
    let to = overview.period.to();
    for (region, counts) in [(region_of(&office), overview.total), (first_town.key.clone(), first_town.counts)] {
        let figures = [
            ("received", counts.received),
            ("acknowledged", counts.acknowledged),
            ("answered_direct", counts.answered_direct),
            ("forwarded", counts.forwarded),
            ("answered", counts.answered),
            ("closed", counts.closed),
        ];
        for (counted, n) in figures {
            let mut href = format!("/cases?region={region}&from=2025-01-01&to={to}");
            if counted != "received" {
                href.push_str(&format!("&counted={counted}"));
            }
            let linked = href.replace('&', "&#38;");
            assert!(town_body.contains(&linked) || body.contains(&linked), "{href} is linked");
            assert_eq!(listed_total(&server, &href).await, n, "{href} lists the {n} cases counted");
        }
        assert!(counts.closed > 0 && counts.forwarded > 0, "the demo has every kind: {counts:?}");
    }
    // A station and one of its representatives, a category and a channel.
    let station = &overview.stations[0];
    let (status, station_body, _) = server.page(&format!("/cockpit?unit={}&from=2025-01-01", station.key)).await;
    assert_eq!(status, 200);
    assert!(station_body.contains("本站代表委员"), "{station_body}");
    let href = format!("/cases?unit={}&from=2025-01-01&to={to}", station.key);
    assert_eq!(listed_total(&server, &href).await, station.counts.received);
    let rep = &overview.representatives[0];
    let href = format!("/cases?region={}&from=2025-01-01&to={to}&rep={}", region_of(&office), rep.key);
    assert_eq!(listed_total(&server, &href).await, rep.counts.received);
    let category = &overview.by_category[0];
    let href = format!("/cases?region=&from=2025-01-01&to={to}&category={}&counted=answered", category.key);
    assert_eq!(listed_total(&server, &href).await, category.counts.answered);
    // Hot words: from the maintained counters, each linking to the cases containing it.
    let (word, n) = overview.hot_words.first().cloned().expect("the demo's texts give hot words");
    assert!(overview.hot_words.windows(2).all(|w| w[0].1 >= w[1].1), "most first: {:?}", overview.hot_words);
    assert!(body.contains("热词") && body.contains(&format!(">{word}</a>")), "the word is on the page");
    let href = format!(
        "/cases?region={}&from=2025-01-01&to={to}&q={}",
        region_of(&office),
        minyi::web::pages::urlencode(&word)
    );
    assert!(body.contains(&href.replace('&', "&#38;")), "{href} is linked");
    let containing = listed_total(&server, &href).await;
    assert!(containing >= n, "{word}: {n} cases gave it, {containing} contain it");
    let csv = server.get(&format!("/cockpit/export/words/csv?from=2025-01-01&region={}", region_of(&office))).await;
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), overview.hot_words.len() + 1, "{text}");
    assert!(text.contains(&format!("{word},{n}")), "{text}");
    let (status, body_bad, _) = server.page("/cases?counted=nonsense").await;
    assert_eq!(status, 422, "{body_bad}");
    let case = first_link(&body, "/cases/").expect("an overdue case on the county page");
    let (status, case_body, _) = server.page(&case).await;
    assert_eq!(status, 200, "{case}");
    assert!(case_body.contains(&overview.overdue[0].tracking_code));

    // Every list downloads with the page's rows: CSV and XLSX.
    let csv = server.get(&format!("/cockpit/export/stations/csv?region={}&from=2025-01-01", region_of(&office))).await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), overview.stations.len() + 1, "{text}");
    assert!(text.contains("响应率") && text.contains(&overview.stations[0].name), "{text}");
    for list in minyi::web::pages::cockpit::LISTS {
        let xlsx = server.get(&format!("/cockpit/export/{list}/xlsx?from=2025-01-01")).await;
        assert_eq!(xlsx.status(), 200, "{list}");
        assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"), "{list} is a workbook");
    }
    assert_eq!(server.get("/cockpit/export/nothing/csv").await.status(), 404);

    // A period with no cases: zeros and an explanation, not an error.
    let (status, body, _) = server.page("/cockpit?from=2020-01-01&to=2020-01-31").await;
    assert_eq!(status, 200);
    assert!(body.contains("以下各项均为零"), "{body}");
    assert!(body.contains("本时段没有收到民意件"), "the empty rate says why");

    // A malformed or reversed period is a clear message.
    let (status, body, _) = server.page("/cockpit?from=2026-02-30").await;
    assert_eq!(status, 422);
    assert!(body.contains("日期格式不正确"), "{body}");
    let (status, body, _) = server.page("/cockpit?from=2026-03-01&to=2026-02-01").await;
    assert_eq!(status, 422);
    assert!(body.contains("结束日期不能早于开始日期"), "{body}");

    // A town office may not look at the county; a keeper may not open the cockpit.
    let refused = cockpit::overview(&t.app, &town_office, &region_of(&office), "", "").await;
    assert!(matches!(refused, Err(minyi::error::Error::Forbidden)), "{refused:?}");
    let mine = cockpit::overview(&t.app, &town_office, "", "2025-01-01", "").await.expect("own town");
    assert!(mine.total.received < overview.total.received);
    let keeper = crate::support::actor(t, "keeper").await;
    assert!(matches!(cockpit::overview(&t.app, &keeper, "", "", "").await, Err(minyi::error::Error::Forbidden)));
    let other = crate::http::spawn(t.app.clone()).await;
    other.login("town-office", "minyi-demo-2026").await;
    let (status, _, _) = other.page(&format!("/cockpit?region={}", region_of(&office))).await;
    assert_eq!(status, 403);
    let (status, _, _) = other.page(&format!("/cases?region={}", region_of(&office))).await;
    assert_eq!(status, 403, "the case list keeps to the scope too");
}

/// The demo county with its cases: the county office, its region path, and every case
/// filed under it.
async fn demo_office_and_cases(t: &TestDb) -> (Actor, String, Vec<minyi::domain::case::Case>) {
    load_demo(t).await;
    minyi::demo::load_demo_cases(&t.app).await.expect("demo cases");
    let office = crate::support::actor(t, "office").await;
    let prefix = match office.scope() {
        Scope::Subtree { path, .. } => path.as_str().to_string(),
        other => panic!("not an office: {other:?}"),
    };
    let cases = {
        let mut tx = t.read().await;
        let filter = db::cases::InboxFilter { region_prefix: format!("{prefix}%"), ..Default::default() };
        db::cases::inbox(&mut tx, &filter, db::PageRequest { number: 1, size: 5000 }).await.expect("inbox").items
    };
    (office, prefix, cases)
}

/// A period's figures are summed from whole months and the days of its ragged ends:
/// whatever the period, they equal a count of the cases themselves, for the region
/// and each child region, channel and category.
#[tokio::test]
async fn any_period_sums_to_the_cases_received_in_it() {
    for t in engines().await {
        let (office, prefix, cases) = demo_office_and_cases(&t).await;
        let day = |c: &minyi::domain::case::Case| minyi::domain::calendar::cst_date(c.created_at);
        let first = cases.iter().map(day).min().expect("demo cases");
        let last = cases.iter().map(day).max().expect("demo cases");
        assert!((last - first).num_days() > 40, "{}: the demo spans months: {first}..{last}", t.engine);
        let mid = first + Duration::days((last - first).num_days() / 2);
        let periods = [
            (first, last),
            (first + Duration::days(3), last - Duration::days(4)),
            (mid, mid),
            (mid - Duration::days(20), mid + Duration::days(20)),
            (first, first + Duration::days(35)),
            (first + Duration::days(10), last),
        ];
        for (from, to) in periods {
            let o = cockpit::overview(&t.app, &office, "", &from.to_string(), &to.to_string()).await.expect("overview");
            let inside: Vec<_> = cases.iter().filter(|c| from <= day(c) && day(c) <= to).collect();
            let e = format!("{}: {from}..{to}", t.engine);
            assert_eq!(o.total.received, inside.len() as i64, "{e}");
            let own = inside.iter().filter(|c| c.region_path == prefix).count() as i64;
            assert_eq!(o.own_level.received, own, "{e}: filed at the county itself");
            for child in &o.children {
                let below = inside.iter().filter(|c| c.region_path.contains(&format!("/{}/", child.key))).count();
                assert_eq!(child.counts.received, below as i64, "{e}: under {}", child.name);
            }
            for line in &o.by_channel {
                let n = inside.iter().filter(|c| c.channel.as_str() == line.key).count();
                assert_eq!(line.counts.received, n as i64, "{e}: channel {}", line.key);
            }
            for line in &o.by_category {
                let n = inside.iter().filter(|c| c.category == line.key).count();
                assert_eq!(line.counts.received, n as i64, "{e}: category {}", line.key);
            }
            let listed: i64 = o.by_channel.iter().map(|l| l.counts.received).sum();
            assert_eq!(listed, inside.len() as i64, "{e}: every channel listed");
            let per_month: i64 = o.months.iter().map(|l| l.counts.received).sum();
            assert_eq!(per_month, inside.len() as i64, "{e}: the trend adds up");
            let stations: i64 = o.stations.iter().map(|l| l.counts.received).sum();
            let addressed = inside.iter().filter(|c| c.unit_id.is_some()).count() as i64;
            assert!(o.stations.len() == cockpit::LIST_ROWS || stations == addressed, "{e}: stations {stations}");
            // Each ranked station and representative: its whole counters, ranked by response rate.
            for line in &o.stations {
                let n = inside.iter().filter(|c| c.unit_id.as_deref() == Some(line.key.as_str())).count();
                assert_eq!(line.counts.received, n as i64, "{e}: station {}", line.name);
                let (from, to) = (from.to_string(), to.to_string());
                let view = cockpit::station(&t.app, &office, &line.key, &from, &to).await.expect("station");
                assert_eq!(line.counts, view.total, "{e}: station {}: the whole counters, as its own page", line.name);
            }
            for line in &o.representatives {
                let n = inside.iter().filter(|c| c.representative_id.as_deref() == Some(line.key.as_str())).count();
                assert_eq!(line.counts.received, n as i64, "{e}: representative {}", line.name);
            }
            let rate = |l: &cockpit::Line<minyi::domain::tally::CaseCounts>| {
                minyi::domain::rates::response_rate(&l.counts).per_mille().unwrap_or(-1)
            };
            for list in [&o.stations, &o.representatives] {
                assert!(list.windows(2).all(|w| rate(&w[0]) >= rate(&w[1])), "{e}: ranked by response rate");
            }
        }
    }
}

/// Station management ranks every station of the subtree by the day its last case came
/// (kept as cases come, `units.last_case_day`), and counts the idle ones of the whole
/// subtree; a new case moves its station to the end of the list.
#[tokio::test]
async fn stations_are_listed_least_recently_active_first_and_idle_ones_counted() {
    for t in engines().await {
        let (office, _, cases) = demo_office_and_cases(&t).await;
        let last_day = |unit: &str| {
            cases
                .iter()
                .filter(|c| c.unit_id.as_deref() == Some(unit))
                .map(|c| minyi::domain::calendar::cst_date(c.created_at).to_string())
                .max()
                .unwrap_or_default()
        };
        let o = cockpit::overview(&t.app, &office, "", "", "").await.expect("overview");
        let e = t.engine.to_string();
        let stations = &o.station_activity;
        assert!(stations.len() > 2, "{e}: the demo county has stations");
        for s in stations {
            assert_eq!(s.last_case_day, last_day(&s.id), "{e}: {} is kept up to date", s.name);
        }
        let order: Vec<_> = stations.iter().map(|s| (!s.active, s.last_case_day.clone())).collect();
        assert!(order.windows(2).all(|w| w[0] <= w[1]), "{e}: least recently active first: {order:?}");
        let since = (t.app.today() - Duration::days(30)).to_string();
        let idle = stations.iter().filter(|s| s.active && s.last_case_day < since).count() as i64;
        assert_eq!(o.idle_stations, idle, "{e}: idle stations of the county");
        assert!(
            stations.iter().all(|s| (s.recent_cases == 0) == (s.last_case_day < since)),
            "{e}: idle means no case in 30 days"
        );

        // A case to the least recently active station moves it to the end.
        let first = stations.iter().find(|s| s.active).expect("an active station").clone();
        let fields = CaseFields {
            channel: "web".into(),
            unit_id: first.id.clone(),
            category: "transport".into(),
            body: "路口的红绿灯坏了".into(),
            ..Default::default()
        };
        cases::submit(&t.app, &fields).await.unwrap_or_else(|err| panic!("{e}: submit: {err:?}"));
        let after = cockpit::overview(&t.app, &office, "", "", "").await.expect("overview");
        let moved = after.station_activity.iter().find(|s| s.id == first.id).expect("still listed");
        assert_eq!(moved.last_case_day, t.app.today().to_string(), "{e}");
        assert_eq!(moved.recent_cases, first.recent_cases + 1, "{e}");
        let was_idle = i64::from(first.last_case_day < since);
        assert_eq!(after.idle_stations, o.idle_stations - was_idle, "{e}");
        let last_active = after.station_activity.iter().rfind(|s| s.active).expect("active ones");
        assert_eq!(last_active.last_case_day, moved.last_case_day, "{e}: now among the most recent");
    }
}
