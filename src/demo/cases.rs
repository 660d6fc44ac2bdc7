//! Demo cases: a few hundred opinions spread over every state, each taken
//! through the real actions at believable past times, so every inbox, timeline
//! and figure has something real to show.

use std::sync::Arc;

use crate::actions::cases::{self, CaseRef, Who};
use crate::app::App;
use crate::clock::{Clock, FakeClock, Millis};
use crate::db::{self, PageRequest};
use crate::domain::case::{AssignmentRole, CATEGORIES, CaseFields, Grade};
use crate::domain::permission::ListFilter;
use crate::domain::region::RegionPath;
use crate::domain::unit::UnitKind;
use crate::domain::user::{Actor, Role, Scope};
use crate::domain::workflow::{Move, NewAssignment};
use crate::error::{Error, Result};

const CASES: usize = 320;
const DAY: Millis = 24 * 3600 * 1000;
const HOUR: Millis = 3600 * 1000;

/// What becomes of a demo case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    New,
    Acknowledged,
    AwaitingInfo,
    Forwarded,
    Returned,
    Overdue,
    Answered,
    RatedClosed,
    Reopened,
    Merged,
    Withdrawn,
}

const FATES: [(Fate, u32); 11] = [
    (Fate::New, 8),
    (Fate::Acknowledged, 6),
    (Fate::AwaitingInfo, 3),
    (Fate::Forwarded, 12),
    (Fate::Returned, 5),
    (Fate::Overdue, 8),
    (Fate::Answered, 14),
    (Fate::RatedClosed, 32),
    (Fate::Reopened, 5),
    (Fate::Merged, 3),
    (Fate::Withdrawn, 4),
];

const TEXTS: [(&str, &str); 16] = [
    ("transport", "村口公交站的候车亭顶棚破损，下雨天老人候车淋雨，希望尽快修缮。"),
    ("transport", "早晚高峰学校门口车辆乱停，孩子上下学很不安全，建议增设临时停车位和护学岗。"),
    ("construction", "小区路灯坏了三盏，晚上出行很不方便，物业说归市政管，请帮忙协调。"),
    ("construction", "老旧小区加装电梯的补助政策怎么申请？楼里几户意见已经统一。"),
    ("environment", "河道边有人倾倒建筑垃圾，气味很大，影响周边居民生活。"),
    ("environment", "附近厂房夜间噪声扰民，已持续一个多月，希望相关部门检测处理。"),
    ("education", "新建小区的孩子入学划片还没有公布，家长很着急，希望早日明确。"),
    ("health", "村卫生室只有上午开门，老人慢性病配药不方便，能否延长服务时间？"),
    ("social_security", "灵活就业人员参加医保的缴费标准和渠道不清楚，希望有人讲解。"),
    ("agriculture", "今年的种粮补贴什么时候发放？往年这时候已经到账了。"),
    ("fishery", "渔港码头的护栏年久失修，夜间作业有安全隐患，请尽快维修。"),
    ("fishery", "休渔期渔民转产转业培训的报名方式是什么？希望多开设几期。"),
    ("market", "菜市场有摊位缺斤短两，希望加强检查，设置公平秤。"),
    ("public_safety", "村道急弯处没有反光镜，夜里会车很危险，建议加装。"),
    ("other", "希望在文化礼堂多组织一些适合老年人的文体活动。"),
    ("other", "建议在镇里的便民服务中心增加周末值班窗口，方便上班族办事。"),
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn fate(&mut self) -> Fate {
        let total: u32 = FATES.iter().map(|(_, w)| w).sum();
        let mut roll = (self.next() % u64::from(total)) as u32;
        for (fate, weight) in FATES {
            if roll < weight {
                return fate;
            }
            roll -= weight;
        }
        Fate::RatedClosed
    }
}

/// A station or studio with someone to receive its cases.
struct Receiver {
    unit_id: String,
    unit_path: RegionPath,
    studio: bool,
    representatives: Vec<(String, RegionPath, String)>,
}

struct Dept {
    id: String,
    path: RegionPath,
    name: String,
}

/// Creates the demo cases (once). `app` supplies the database; the moves are made
/// at past times by a clock of their own.
pub async fn load_demo_cases(app: &App) -> Result<usize> {
    let now = app.now();
    let clock = FakeClock::at(now - 60 * DAY);
    let past = App::new(app.db().clone(), Arc::new(clock.clone()), app.config().clone());
    let (receivers, departments) = load_people(app).await?;
    if receivers.is_empty() || departments.is_empty() {
        return Ok(0);
    }
    let office =
        Actor::new("demo".into(), "demo".into(), "温岭市人大常委会办公室".into(), Role::SystemAdmin, Scope::Everything)
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("demo office actor")))?;
    let mut rng = Rng(2026);
    // The newest case still open: a duplicate is merged into it.
    let mut previous: Option<String> = None;
    for i in 0..CASES {
        let created = now - 60 * DAY + (i as Millis) * (58 * DAY / CASES as Millis) + 9 * HOUR;
        clock.set(created);
        let receiver = &receivers[rng.below(receivers.len())];
        let to_rep = !receiver.studio && !receiver.representatives.is_empty() && rng.below(10) < 6;
        let (category, text) = TEXTS[rng.below(TEXTS.len())];
        let channel = match (receiver.studio, to_rep, rng.below(6)) {
            (true, _, _) => "studio",
            (false, true, 0..=3) => "deputy_code",
            (false, false, 0..=2) => "station_code",
            (false, _, 4) => "reception_day",
            (false, _, 5) => "hotline",
            _ => "web",
        };
        let rep = to_rep.then(|| &receiver.representatives[rng.below(receiver.representatives.len())]);
        let fields = CaseFields {
            channel: channel.into(),
            representative_id: rep.map(|r| r.0.clone()).unwrap_or_default(),
            unit_id: if rep.is_none() { receiver.unit_id.clone() } else { String::new() },
            category: if CATEGORIES.contains(&category) { category.into() } else { "other".into() },
            body: text.into(),
            name: if rng.below(3) == 0 {
                String::new()
            } else {
                format!("{}先生", ["陈", "林", "王", "叶", "郭"][rng.below(5)])
            },
            mobile: format!("139{:08}", rng.next() % 100_000_000),
            anonymous: String::new(),
            address: String::new(),
            client_token: format!("demo-{i}"),
            ..Default::default()
        };
        let submitted = cases::submit_for(&past, &office, &fields).await?;
        if !submitted.created {
            return Ok(0);
        }
        let receiver_actor = match rep {
            Some((id, path, name)) => Actor::new(
                format!("demo-{id}"),
                "demo".into(),
                name.clone(),
                Role::Representative,
                Scope::Representative { representative_id: id.clone(), path: path.clone() },
            ),
            None => Actor::new(
                "demo-keeper".into(),
                "demo".into(),
                "联络站".into(),
                Role::UnitKeeper,
                Scope::Unit { unit_id: receiver.unit_id.clone(), path: receiver.unit_path.clone() },
            ),
        }
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("demo receiver actor")))?;
        let fate = rng.fate();
        // Recent cases have had no time to go far.
        let fate = if i > CASES - 12 { Fate::New } else { fate };
        let fate = if fate == Fate::Overdue && i > CASES / 2 { Fate::Forwarded } else { fate };
        let case = submitted.case_id.clone();
        let step = |hours: Millis| clock.advance_ms((hours * HOUR).min((now - clock.now_ms()) / 4));
        fn staff(actor: &Actor) -> Who<'_> {
            Who::Staff(actor)
        }
        let reach: Vec<&Dept> = departments.iter().filter(|d| d.path.contains(&receiver.unit_path)).collect();
        if fate == Fate::New {
            previous = Some(case.clone());
            continue;
        }
        step(5);
        make(&past, &case, staff(&receiver_actor), Move::Acknowledge).await?;
        match fate {
            Fate::Acknowledged | Fate::New => {}
            Fate::AwaitingInfo => {
                step(3);
                make(
                    &past,
                    &case,
                    staff(&receiver_actor),
                    Move::RequestInfo { question: "请补充具体位置和照片，便于现场核实。".into() },
                )
                .await?;
            }
            Fate::Merged => {
                if let Some(into) = previous.take() {
                    step(2);
                    make(&past, &case, staff(&office), Move::Merge { into_case_id: into }).await?;
                }
            }
            Fate::Withdrawn => {
                step(20);
                make(&past, &case, Who::Citizen, Move::Withdraw { reason: "问题已自行解决，谢谢。".into() }).await?;
            }
            Fate::Answered | Fate::RatedClosed | Fate::Reopened if rng.below(3) == 0 => {
                step(20);
                let answer = "您好，经了解，此事已列入今年的民生实事计划，预计下月完工，感谢您的关注。";
                make(&past, &case, staff(&receiver_actor), Move::Reply { answer: answer.into() }).await?;
                rate(&past, &case, fate, &step).await?;
            }
            Fate::Forwarded | Fate::Returned | Fate::Overdue | Fate::Answered | Fate::RatedClosed | Fate::Reopened => {
                if reach.is_empty() {
                    previous = Some(case.clone());
                    continue;
                }
                let lead = reach[rng.below(reach.len())];
                let due = past
                    .calendar()
                    .add_working_days(past.today(), past.policy().assignment_days)
                    .map_err(|e| Error::Internal(e.into()))?;
                step(4);
                let forward = |dept: &Dept| Move::Forward {
                    assignments: vec![NewAssignment {
                        department_id: dept.id.clone(),
                        role: AssignmentRole::Lead,
                        due,
                        note: "请核实后依法依规办理，并及时反馈。".into(),
                    }],
                };
                make(&past, &case, staff(&receiver_actor), forward(lead)).await?;
                let handler = |dept: &Dept| {
                    Actor::new(
                        format!("demo-{}", dept.id),
                        "demo".into(),
                        dept.name.clone(),
                        Role::DepartmentHandler,
                        Scope::Department { department_id: dept.id.clone(), path: dept.path.clone() },
                    )
                    .ok_or_else(|| Error::Internal(anyhow::anyhow!("demo handler actor")))
                };
                let lead_actor = handler(lead)?;
                let detail = cases::detail(&past, &lead_actor, &case).await?;
                let assignment = detail.assignments.last().map(|a| a.id.clone()).unwrap_or_default();
                if fate == Fate::Returned {
                    step(6);
                    make(
                        &past,
                        &case,
                        staff(&lead_actor),
                        Move::Return {
                            assignment_id: assignment,
                            reason: "该事项不属于本单位职责，建议转交属地镇街办理。".into(),
                        },
                    )
                    .await?;
                    previous = Some(case.clone());
                    continue;
                }
                step(3);
                make(&past, &case, staff(&lead_actor), Move::SignFor { assignment_id: assignment.clone() }).await?;
                if matches!(fate, Fate::Forwarded | Fate::Overdue) {
                    previous = Some(case.clone());
                    continue;
                }
                step(48);
                make(
                    &past,
                    &case,
                    staff(&lead_actor),
                    Move::SubmitResult {
                        assignment_id: assignment.clone(),
                        result: "已安排人员现场核实并完成整改，后续将加强日常巡查。".into(),
                    },
                )
                .await?;
                step(4);
                make(
                    &past,
                    &case,
                    staff(&receiver_actor),
                    Move::RateResult { assignment_id: assignment, grade: Grade::Satisfied },
                )
                .await?;
                step(2);
                make(
                    &past,
                    &case,
                    staff(&receiver_actor),
                    Move::Answer {
                        answer: "您反映的问题已由承办单位整改完毕，欢迎继续监督。".into()
                    },
                )
                .await?;
                rate(&past, &case, fate, &step).await?;
            }
        }
        if matches!(fate, Fate::Acknowledged | Fate::AwaitingInfo) {
            previous = Some(case.clone());
        }
    }
    // Counted in the cockpit before anyone opens it.
    crate::actions::cockpit::fold_pending_for(app).await?;
    Ok(CASES)
}

async fn make(app: &App, case: &str, who: Who<'_>, mv: Move) -> Result<()> {
    cases::act(app, who, CaseRef::Id(case), None, mv).await.map(|_| ())
}

/// The citizen's rating, for the fates that end with one.
async fn rate(app: &App, case: &str, fate: Fate, step: &impl Fn(Millis)) -> Result<()> {
    let grade = match fate {
        Fate::RatedClosed => Grade::Satisfied,
        Fate::Reopened => Grade::Unsatisfied,
        _ => return Ok(()),
    };
    step(24);
    make(app, case, Who::Citizen, Move::CitizenRate { grade }).await
}

async fn load_people(app: &App) -> Result<(Vec<Receiver>, Vec<Dept>)> {
    let mut tx = app.db().read().await?;
    let everything = PageRequest::new(1, 500);
    let units = db::units::list(&mut tx, &ListFilter::All, "", everything).await?.items;
    let mut receivers = Vec::new();
    for unit in units.into_iter().filter(|u| u.input.active) {
        let reps = db::representatives::list(&mut tx, &ListFilter::AtUnit(unit.id.clone()), "", everything).await?;
        receivers.push(Receiver {
            studio: unit.input.kind == UnitKind::Studio,
            representatives: reps
                .items
                .into_iter()
                .filter(|r| r.input.active)
                .map(|r| (r.id, r.region_path, r.input.name))
                .collect(),
            unit_id: unit.id,
            unit_path: unit.region_path,
        });
    }
    let departments = db::departments::list(&mut tx, &ListFilter::All, "", everything)
        .await?
        .items
        .into_iter()
        .filter(|d| d.input.active)
        .map(|d| Dept { id: d.id, path: d.region_path, name: d.input.name })
        .collect();
    Ok((receivers, departments))
}
