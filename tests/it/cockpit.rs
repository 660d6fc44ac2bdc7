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
async fn forwarded_demo_case(t: &TestDb) -> (minyi::domain::case::Case, String) {
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

fn receiver_of(case: &minyi::domain::case::Case) -> Actor {
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

async fn submit_like(t: &TestDb, like: &minyi::domain::case::Case, body: &str) -> String {
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

async fn make(t: &TestDb, case: &str, who: Who<'_>, mv: Move) {
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
    }
}
