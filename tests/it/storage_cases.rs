//! A case read whole in one statement (`db::cases::whole`), on every engine: it must
//! give exactly what the four reads of its parts give.

use minyi::actions::cases::{self, CaseRef, Who};
use minyi::db::cases::{CaseKey, WholeCase};
use minyi::db::{self, Tx};
use minyi::domain::attachment::Attachment;
use minyi::domain::case::{AssignmentRole, CaseFields, Grade};
use minyi::domain::user::Scope;
use minyi::domain::workflow::{Move, NewAssignment};

use crate::support::{TestDb, actor, engines, load_demo};

/// The case `id` read part by part, as the reads before `whole` did.
async fn by_parts(tx: &mut Tx, id: &str) -> WholeCase {
    WholeCase {
        case: db::cases::get(tx, id).await.unwrap().expect("the case"),
        assignments: db::cases::assignments(tx, id).await.unwrap(),
        events: db::cases::events(tx, id).await.unwrap(),
        attachments: db::attachments::of_case(tx, id).await.unwrap(),
    }
}

fn assert_same(whole: &WholeCase, parts: &WholeCase, what: &str) {
    assert_eq!(whole.case, parts.case, "{what}: the case");
    assert_eq!(whole.assignments, parts.assignments, "{what}: the assignments");
    assert_eq!(whole.events, parts.events, "{what}: the history");
    assert_eq!(whole.attachments, parts.attachments, "{what}: the attachments");
}

/// A new case from the demo's deputy; its id.
async fn new_case(t: &TestDb, body: &str) -> String {
    let deputy = actor(t, "deputy").await;
    let Scope::Representative { representative_id, .. } = deputy.scope().clone() else { panic!("a deputy") };
    let fields = CaseFields {
        channel: "deputy_code".into(),
        representative_id,
        category: "transport".into(),
        body: body.into(),
        ..CaseFields::default()
    };
    cases::submit(&t.app, &fields).await.unwrap().case_id
}

#[tokio::test]
async fn a_case_read_whole_is_its_parts_read_one_by_one() {
    for t in engines().await {
        let e = t.engine;
        load_demo(&t).await;
        let deputy = actor(&t, "deputy").await;
        let id = new_case(&t, "村口的路灯坏了，晚上看不见路").await;
        // Forwarded to two departments, a lead and an assistant.
        let mut departments = Vec::new();
        {
            let mut tx = t.read().await;
            for code in ["BM-001", "BM-002"] {
                departments.push(db::departments::id_by_code(&mut tx, code).await.unwrap().expect("a demo department"));
            }
        }
        let due = t.app.calendar().add_working_days(t.app.today(), 3).unwrap();
        let assignments = departments
            .iter()
            .zip([AssignmentRole::Lead, AssignmentRole::Assisting])
            .map(|(department_id, role)| NewAssignment {
                department_id: department_id.clone(),
                role,
                due,
                note: "请核实".into(),
            })
            .collect();
        let forward = Move::Forward { assignments };
        cases::act(&t.app, Who::Staff(&deputy), CaseRef::Id(&id), None, forward).await.unwrap();
        // What no move here sets: a returned assignment with a grade and a requested date,
        // and two attachments stored out of their order.
        let mut tx = t.write().await;
        let mut first = db::cases::assignments(&mut tx, &id).await.unwrap().remove(0);
        first.returned = true;
        first.grade = Some(Grade::BasicallySatisfied);
        first.requested_due = Some(due + chrono::Days::new(5));
        first.rework_count = 2;
        first.submitted_at = Some(t.app.now());
        db::cases::update_assignment(&mut tx, &first, t.app.now()).await.unwrap();
        for (n, position) in [("a", 1), ("b", 0)] {
            let attachment = Attachment {
                id: format!("att-{n}-{e}"),
                case_id: id.clone(),
                kind: "photo".into(),
                media_type: "image/jpeg".into(),
                bytes: 1000 + position,
                width: 640,
                height: 480,
                position,
            };
            db::attachments::insert(&mut tx, &attachment, t.app.now()).await.unwrap();
        }
        tx.commit().await.unwrap();

        let bare = new_case(&t, "小区门口的垃圾没人清理").await;

        let mut tx = t.read().await;
        let parts = by_parts(&mut tx, &id).await;
        assert_eq!(parts.assignments.len(), 2, "{e}");
        assert!(parts.assignments.iter().any(|a| a.returned) && parts.assignments.iter().any(|a| !a.returned), "{e}");
        assert_eq!(parts.attachments.iter().map(|a| a.position).collect::<Vec<_>>(), [0, 1], "{e}");
        assert!(parts.events.len() >= 2, "{e}: submitted and forwarded");
        let by_id = db::cases::whole(&mut tx, CaseKey::Id(&id)).await.unwrap().expect("found by id");
        assert_same(&by_id, &parts, &format!("{e}: by id"));
        let code = parts.case.tracking_code.clone();
        let by_code = db::cases::whole(&mut tx, CaseKey::TrackingCode(&code)).await.unwrap().expect("found by code");
        assert_same(&by_code, &parts, &format!("{e}: by tracking code"));

        // A case with nothing but its submission: empty lists, one line of history.
        let whole = db::cases::whole(&mut tx, CaseKey::Id(&bare)).await.unwrap().expect("the bare case");
        assert_same(&whole, &by_parts(&mut tx, &bare).await, &format!("{e}: a bare case"));
        assert!(whole.assignments.is_empty() && whole.attachments.is_empty(), "{e}");
        assert_eq!(whole.events.len(), 1, "{e}");

        assert!(db::cases::whole(&mut tx, CaseKey::Id("no-such-case")).await.unwrap().is_none(), "{e}");
        assert!(db::cases::whole(&mut tx, CaseKey::TrackingCode("ZZZZ-ZZZZ")).await.unwrap().is_none(), "{e}");
    }
}
