//! The deadline sweep, driven by a fake clock: a reminder before the due date, a
//! chase the first working day after it, escalation at five working days late —
//! each written once however often the sweep runs, even by two runners at once.

use chrono::NaiveDate;
use minyi::actions;
use minyi::actions::cases::{self, CaseRef, Who};
use minyi::db;
use minyi::db::cases::DueWork;
use minyi::domain::case::{AssignmentRole, CaseFields};
use minyi::domain::user::{Actor, Scope, UserFields};
use minyi::domain::workflow::{Move, NewAssignment};
use minyi::jobs::deadlines::{SweepReport, sweep};

use crate::support::{TestDb, actor, engines, load_demo, to_deputy};

const DAY_MS: i64 = 24 * 3600 * 1000;

fn report(reminders: usize, chases: usize, escalations: usize) -> SweepReport {
    SweepReport { reminders, chases, escalations }
}

/// A new case from the deputy with `body`, forwarded to the department with `code` as
/// lead, due three working days on: its id and the due date.
async fn forwarded_case(t: &TestDb, deputy: &Actor, body: &str, code: &str) -> (String, NaiveDate) {
    let submitted = cases::submit(&t.app, &to_deputy(deputy, body)).await.unwrap();
    let department_id = {
        let mut tx = t.read().await;
        db::departments::id_by_code(&mut tx, code).await.unwrap().expect("a demo department")
    };
    let due = t.app.calendar().add_working_days(t.app.today(), 3).unwrap();
    let forward = Move::Forward {
        assignments: vec![NewAssignment { department_id, role: AssignmentRole::Lead, due, note: String::new() }],
    };
    cases::act(&t.app, Who::Staff(deputy), CaseRef::Id(&submitted.case_id), None, forward).await.unwrap();
    (submitted.case_id, due)
}

#[tokio::test]
async fn reminder_chase_and_escalation_each_go_out_once() {
    for t in engines().await {
        load_demo(&t).await;
        let deputy = actor(&t, "deputy").await;
        let Scope::Representative { representative_id, .. } = deputy.scope().clone() else { panic!("a deputy") };
        // BM-001 is 市交通运输局. Monday 2026-03-02; due three working days later, Thursday 03-05.
        let (_, due) = forwarded_case(&t, &deputy, "村口的路灯坏了", "BM-001").await;
        assert_eq!(due.to_string(), "2026-03-05", "{}", t.engine);

        assert_eq!(sweep(&t.app).await.unwrap(), report(0, 0, 0), "{}: too early", t.engine);
        t.clock.advance_ms(2 * DAY_MS); // Wednesday 03-04: one working day left
        assert_eq!(sweep(&t.app).await.unwrap(), report(1, 0, 0), "{}: the reminder", t.engine);
        assert_eq!(sweep(&t.app).await.unwrap(), report(0, 0, 0), "{}: not twice", t.engine);
        t.clock.advance_ms(2 * DAY_MS); // Friday 03-06: the first working day after
        assert_eq!(sweep(&t.app).await.unwrap(), report(0, 1, 0), "{}: the chase", t.engine);
        t.clock.advance_ms(DAY_MS); // Saturday: nothing new
        assert_eq!(sweep(&t.app).await.unwrap(), report(0, 0, 0), "{}", t.engine);
        t.clock.advance_ms(6 * DAY_MS); // Friday 03-13: five working days late
        let (a, b) = tokio::join!(sweep(&t.app), sweep(&t.app));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.escalations + b.escalations, 1, "{}: two runners escalate once", t.engine);
        assert_eq!(a.chases + b.chases, 0, "{}", t.engine);
        // Delivered, the department's handler has them in the in-app inbox.
        minyi::notify::deliver_due(&t.app, "test-worker", 100).await.unwrap();
        let handler = actor(&t, "handler").await;
        let mut tx = t.read().await;
        let inbox = db::outbox::inbox_for_user(&mut tx, handler.user_id(), db::PageRequest::new(1, 20)).await.unwrap();
        let subjects: Vec<&str> = inbox.items.iter().map(|m| m.subject.as_str()).collect();
        assert!(subjects.iter().any(|s| s.contains("新交办")), "{}: {subjects:?}", t.engine);
        // The deputy's own notice of the new case greets the deputy by name (no variable left empty).
        let inbox = db::outbox::inbox_for_user(&mut tx, deputy.user_id(), db::PageRequest::new(1, 20)).await.unwrap();
        let new_case = inbox.items.iter().find(|m| m.subject.contains("新民意件")).expect("the new-case notice");
        let name = db::representatives::get(&mut tx, &representative_id).await.unwrap().unwrap().input.name;
        assert!(new_case.body.starts_with(&format!("{name}：")), "{}: {}", t.engine, new_case.body);
        assert!(subjects.iter().any(|s| s.contains("办理提醒")), "{}: {subjects:?}", t.engine);
        assert!(subjects.iter().any(|s| s.contains("催办")), "{}: {subjects:?}", t.engine);
    }
}

#[tokio::test]
async fn only_staff_enter_reception_day_and_hotline_cases() {
    for t in engines().await {
        load_demo(&t).await;
        let keeper = actor(&t, "keeper").await;
        let Scope::Unit { unit_id, .. } = keeper.scope().clone() else { panic!("a keeper") };
        let fields = CaseFields {
            channel: "reception_day".into(),
            unit_id,
            category: "other".into(),
            body: "接待日群众反映：希望增设公交线路".into(),
            ..CaseFields::default()
        };
        let claimed = cases::submit(&t.app, &fields).await;
        let fields_named = crate::support::invalid_fields(t.engine, claimed);
        assert_eq!(fields_named, vec!["channel".to_string()], "{}", t.engine);
        let entered = cases::submit_for(&t.app, &keeper, &fields).await.unwrap();
        let detail = cases::detail(&t.app, &keeper, &entered.case_id).await.unwrap();
        assert_eq!(
            detail.events[0].actor_name,
            keeper.display_name(),
            "{}: the history names who entered it",
            t.engine
        );
    }
}

#[tokio::test]
async fn a_notice_no_one_can_receive_is_recorded_once_and_the_next_reaches_a_new_account() {
    for t in engines().await {
        load_demo(&t).await;
        let deputy = actor(&t, "deputy").await;
        let admin = actor(&t, "admin").await;
        // BM-002 has no account and no channel in the demo: its reminder has no one to go to.
        let (case_id, due) = forwarded_case(&t, &deputy, "桥头的护栏松了", "BM-002").await;
        t.clock.advance_ms(2 * DAY_MS); // one working day left: the reminder is due
        assert_eq!(sweep(&t.app).await.unwrap(), report(0, 0, 0), "{}: no one to remind", t.engine);
        let occasion = {
            let mut tx = t.read().await;
            let work = db::cases::open_assignments_due_by(&mut tx, due).await.unwrap();
            let assignment = work.iter().find(|w| w.case_id == case_id).expect("the assignment");
            format!("deadline:{}:reminder:{due}", assignment.assignment_id)
        };
        let recorded = {
            let mut tx = t.read().await;
            db::deadline_notices::sent(&mut tx, &occasion).await.unwrap()
        };
        assert!(recorded, "{}: recorded, not tried every sweep", t.engine);
        let handler = UserFields {
            username: "bridge-handler".into(),
            display_name: "经办人".into(),
            role: "department_handler".into(),
            scope_code: "BM-002".into(),
            password: "minyi-demo-2026".into(),
            active: "是".into(),
        };
        actions::users::save(&t.app, &admin, None, &handler).await.unwrap();
        assert_eq!(sweep(&t.app).await.unwrap(), report(0, 0, 0), "{}: the reminder is past", t.engine);
        t.clock.advance_ms(2 * DAY_MS); // Friday, the first working day after: the chase
        assert_eq!(sweep(&t.app).await.unwrap(), report(0, 1, 0), "{}: the chase reaches the account", t.engine);
        assert_eq!(sweep(&t.app).await.unwrap(), report(0, 0, 0), "{}: once", t.engine);
        minyi::notify::deliver_due(&t.app, "test-worker", 100).await.unwrap();
        let user = actor(&t, "bridge-handler").await;
        let mut tx = t.read().await;
        let inbox = db::outbox::inbox_for_user(&mut tx, user.user_id(), db::PageRequest::new(1, 20)).await.unwrap();
        let subjects: Vec<&str> = inbox.items.iter().map(|m| m.subject.as_str()).collect();
        assert_eq!(subjects.iter().filter(|s| s.contains("催办")).count(), 1, "{}: {subjects:?}", t.engine);
        assert!(!subjects.iter().any(|s| s.contains("办理提醒")), "{}: {subjects:?}", t.engine);
    }
}

#[tokio::test]
async fn work_escalated_already_is_not_read_again() {
    for t in engines().await {
        load_demo(&t).await;
        let deputy = actor(&t, "deputy").await;
        let (forwarded, _) = forwarded_case(&t, &deputy, "村口的路灯坏了", "BM-001").await;
        let unanswered = cases::submit(&t.app, &to_deputy(&deputy, "小区门口积水")).await.unwrap().case_id;
        // Two months on, both are long past escalation.
        t.clock.advance_ms(60 * DAY_MS);
        let work = due_work(&t).await;
        let ids = |work: &[DueWork]| work.iter().map(|w| w.case_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&work), vec![forwarded.clone(), unanswered.clone()], "{}", t.engine);
        let first = sweep(&t.app).await.unwrap();
        assert_eq!(first.chases, 2, "{}: {first:?}", t.engine);
        // Both escalations are recorded (the report counts those that found an account).
        for w in &work {
            let id = if w.assignment_id.is_empty() { &w.case_id } else { &w.assignment_id };
            let occasion = format!("deadline:{id}:escalation:{}", w.due_date);
            let mut tx = t.read().await;
            assert!(db::deadline_notices::sent(&mut tx, &occasion).await.unwrap(), "{}: {occasion}", t.engine);
        }
        assert!(due_work(&t).await.is_empty(), "{}: escalated work is read again", t.engine);
        assert_eq!(sweep(&t.app).await.unwrap(), report(0, 0, 0), "{}", t.engine);
    }
}

/// The work the sweep reads today: assignments, then cases' own answers.
async fn due_work(t: &TestDb) -> Vec<DueWork> {
    let mut tx = t.read().await;
    let today = t.app.today();
    let mut work = db::cases::open_assignments_due_by(&mut tx, today).await.unwrap();
    work.extend(db::cases::open_cases_due_by(&mut tx, today).await.unwrap());
    work
}
