//! One synthetic case and its whole history, made by playing believable moves
//! through the real workflow table ([`transition`]) at past times. Each move changes
//! the case and its assignments exactly as `actions::cases::apply` does, and writes
//! the same event (kind, note, data with the new state and the effects). A move the
//! table refuses ends the story, so every stored history is one the table allows.
//! Pure: no IO, no clock; time is passed in.

mod apply;

use chrono::NaiveDate;
use serde_json::json;

use super::province::{Province, person_name, synth_id};
use super::rng::Rng;
use crate::clock::Millis;
use crate::domain::calendar::{Calendar, cst_date};
use crate::domain::case::{Assignment, AssignmentRole, CATEGORIES, Case, CaseEvent, CaseState, Channel, Grade};
use crate::domain::deadline::{DeadlinePolicy, case_dues};
use crate::domain::workflow::{Move, NewAssignment, Party, Rules, transition};

const HOUR: Millis = 3600 * 1000;
const DAY: Millis = 24 * HOUR;

/// What a case is about: a sentence per category, with a place filled in.
const ISSUES: [(&str, &str); 22] = [
    ("construction", "{}的老旧小区路灯坏了好几盏，晚上出行不便，请协调维修。"),
    ("construction", "{}老旧小区加装电梯的补助怎么申请？楼里各户意见已经统一。"),
    ("transport", "{}村口公交站候车亭破损，下雨天老人候车淋雨，希望尽快修缮。"),
    ("transport", "{}学校门口早晚高峰车辆乱停，孩子上下学不安全，建议设护学岗。"),
    ("environment", "{}河道边有人倾倒建筑垃圾，气味很大，影响周边居民生活。"),
    ("environment", "{}附近厂房夜间噪声扰民，已持续一个多月，希望检测处理。"),
    ("education", "{}新建小区的入学划片还没有公布，家长很着急，希望早日明确。"),
    ("education", "{}小学放学后没有托管服务，双职工家庭接送困难。"),
    ("health", "{}卫生室只有上午开门，老人慢性病配药不方便，能否延长时间？"),
    ("health", "{}社区卫生服务中心的家庭医生签约后联系不上，希望改进。"),
    ("social_security", "{}灵活就业人员参加医保的缴费标准和渠道不清楚，希望有人讲解。"),
    ("social_security", "{}高龄老人补贴今年还没有发放，老人们都在问。"),
    ("agriculture", "{}今年的种粮补贴什么时候发放？往年这时候已经到账了。"),
    ("agriculture", "{}灌溉水渠淤塞，春耕前需要清理，请帮忙协调。"),
    ("fishery", "{}渔港码头护栏年久失修，夜间作业有安全隐患，请尽快维修。"),
    ("fishery", "{}休渔期渔民转产培训的报名方式是什么？希望多开设几期。"),
    ("market", "{}菜市场有摊位缺斤短两，希望加强检查，设置公平秤。"),
    ("market", "{}网购预付卡商家关门跑路，消费者维权无门。"),
    ("public_safety", "{}村道急弯处没有反光镜，夜里会车很危险，建议加装。"),
    ("public_safety", "{}电动车在楼道充电的情况很多，存在火灾隐患。"),
    ("other", "希望{}文化礼堂多组织一些适合老年人的文体活动。"),
    ("other", "建议{}便民服务中心增加周末值班窗口，方便上班族办事。"),
];

/// One case with its assignments and its history (the events not yet numbered or
/// chained: the writer does that in order).
#[derive(Debug, Clone)]
pub struct SynthCase {
    pub case: Case,
    pub assignments: Vec<(Assignment, Millis)>,
    pub events: Vec<CaseEvent>,
    /// Moves the table refused (a story that does not fit the rules ends there).
    pub refused: u32,
}

/// What a story needs besides the province.
pub struct World<'a> {
    pub province: &'a Province,
    pub calendar: &'a Calendar,
    pub policy: &'a DeadlinePolicy,
    pub rules: &'a Rules,
    /// Nothing happens after this.
    pub now: Millis,
}

type Who = (&'static str, String, String);

struct Sim<'a, 'w> {
    world: &'a World<'w>,
    rng: &'a mut Rng,
    case: Case,
    assignments: Vec<(Assignment, Millis)>,
    events: Vec<CaseEvent>,
    receiver: Who,
    t: Millis,
    ended: bool,
    refused: u32,
}

/// A tracking code unique to case number `index`: a bijection of the index onto the
/// code space, so no two synthetic cases share one.
pub fn tracking_code(index: u64, seed: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    const SPACE: u64 = 819_628_286_980_801; // 31^10
    // 1_000_003 is prime and not 31: multiplying by it permutes the residues.
    let mut n = (index.wrapping_mul(1_000_003) % SPACE + seed % SPACE) % SPACE;
    let mut chars = [0u8; 10];
    for c in chars.iter_mut() {
        *c = ALPHABET[(n % 31) as usize];
        n /= 31;
    }
    let text = String::from_utf8_lossy(&chars).to_string();
    format!("{}-{}-{}", &text[..4], &text[4..8], &text[8..])
}

/// Makes case number `index`, created at `created_at`. `merge_into` is an open case
/// a duplicate may be merged into.
pub fn case(
    world: &World,
    rng: &mut Rng,
    index: u64,
    seed: u64,
    created_at: Millis,
    merge_into: Option<&str>,
) -> SynthCase {
    let p = world.province;
    let town = p.draw_town(rng);
    let (category, template) = ISSUES[rng.below(ISSUES.len())];
    let category = if CATEGORIES.contains(&category) { category } else { "other" };
    let place = &p.regions[town.region].name;
    let body = template.replace("{}", place);
    // Where it goes: a deputy (by code), a station, or a member studio.
    let roll = rng.below(100);
    let (channel, representative, unit, to_studio) = match roll {
        0..=37 if !town.deputies.is_empty() => {
            (Channel::DeputyCode, Some(town.deputies[rng.below(town.deputies.len())]), None, false)
        }
        38..=59 => (Channel::StationCode, None, Some(town.stations[rng.below(town.stations.len())]), false),
        60..=69 => (Channel::Web, None, Some(town.stations[rng.below(town.stations.len())]), false),
        70..=77 => (Channel::ReceptionDay, None, Some(town.stations[rng.below(town.stations.len())]), false),
        78..=84 => (Channel::Hotline, None, Some(town.stations[rng.below(town.stations.len())]), false),
        85..=89 => {
            let members = &p.members_by_county[town.ancestors[0]];
            match members.is_empty() {
                true => (Channel::Studio, None, Some(town.studio), true),
                false => (Channel::Studio, Some(members[rng.below(members.len())]), None, true),
            }
        }
        90..=96 => (Channel::Studio, None, Some(town.studio), true),
        _ => (Channel::Api, None, Some(town.stations[rng.below(town.stations.len())]), false),
    };
    let (region, receiver) = match (representative, unit) {
        (Some(r), _) => {
            let rep = &p.representatives[r];
            (rep.region, ("representative", rep.id.clone(), rep.name.clone()))
        }
        (None, Some(u)) => {
            let unit = &p.units[u];
            (unit.region, ("unit_keeper", unit.id.clone(), format!("{}（管理员）", unit.name)))
        }
        (None, None) => unreachable!("a case always has an addressee"),
    };
    let today = cst_date(created_at);
    let (ack_due, answer_due) =
        case_dues(world.policy, world.calendar, today, to_studio).unwrap_or((today, today + chrono::Days::new(21)));
    let anonymous = rng.chance(12);
    let case = Case {
        id: synth_id(created_at, rng),
        tracking_code: tracking_code(index, seed),
        channel,
        state: CaseState::Received,
        resume_state: None,
        representative_id: representative.map(|r| p.representatives[r].id.clone()),
        unit_id: unit.map(|u| p.units[u].id.clone()),
        region_id: p.regions[region].id.clone(),
        region_path: p.regions[region].path.clone(),
        category: category.to_string(),
        title: title_of(&body),
        body: body.clone(),
        citizen_name: if anonymous { String::new() } else { person_name(rng) },
        citizen_mobile: if anonymous { String::new() } else { super::province::mobile(rng) },
        anonymous,
        address: String::new(),
        ack_due,
        answer_due: Some(answer_due),
        acknowledged_at: None,
        answer: String::new(),
        answered_at: None,
        rating_until: None,
        citizen_grade: None,
        reopen_count: 0,
        merged_into: None,
        version: 1,
        created_at,
        updated_at: created_at,
        closed_at: None,
        location: None,
    };
    let entered_by: Who = if channel.needs_staff() {
        ("unit_keeper", receiver.1.clone(), receiver.2.clone())
    } else {
        ("citizen", String::new(), "群众".to_string())
    };
    let mut sim = Sim {
        world,
        rng,
        case,
        assignments: Vec::new(),
        events: Vec::new(),
        receiver,
        t: created_at,
        ended: false,
        refused: 0,
    };
    let data = json!({"channel": channel.as_str(), "category": category, "ack_due": ack_due.to_string(),
        "answer_due": answer_due.to_string()});
    sim.event(entered_by, "submit", "", &body, data);
    sim.play(town.region, town.ancestors, merge_into);
    SynthCase { case: sim.case, assignments: sim.assignments, events: sim.events, refused: sim.refused }
}

fn title_of(body: &str) -> String {
    let mut title: String = body.chars().take(30).collect();
    if body.chars().count() > 30 {
        title.push('…');
    }
    title
}

fn grade(rng: &mut Rng, satisfied: u64, basically: u64) -> Grade {
    let roll = rng.next_u64() % 100;
    if roll < satisfied {
        Grade::Satisfied
    } else if roll < satisfied + basically {
        Grade::BasicallySatisfied
    } else {
        Grade::Unsatisfied
    }
}

impl Sim<'_, '_> {
    /// The story: acknowledge, then answer directly or forward, then the ratings.
    fn play(&mut self, town: usize, above: [usize; 3], merge_into: Option<&str>) {
        let roll = self.rng.below(1000);
        // Withdrawn before anyone acts (2%), merged as a duplicate (1.5%).
        if roll < 20 {
            let after = self.rng.delay(10 * HOUR);
            self.citizen(after, Move::Withdraw { reason: "问题已自行解决，撤回。".into() });
            return;
        }
        if roll < 35
            && let Some(target) = merge_into
        {
            let after = self.rng.delay(8 * HOUR);
            self.by_receiver(after, Move::Merge { into_case_id: target.to_string() });
            return;
        }
        // Most are acknowledged within the two working days; some are late.
        let ack_after = if self.rng.chance(88) { self.rng.delay(5 * HOUR) } else { 2 * DAY + self.rng.delay(2 * DAY) };
        if !self.by_receiver(ack_after, Move::Acknowledge) {
            return;
        }
        if self.rng.chance(5) {
            let after = self.rng.delay(4 * HOUR);
            self.by_receiver(after, Move::RequestInfo { question: "请补充具体位置和联系方式，以便核实。".into() });
            let after = self.rng.delay(DAY);
            if !self.rng.chance(85)
                || !self.citizen(after, Move::AddInfo { text: "具体位置在村委会东侧约百米处。".into() })
            {
                return;
            }
        }
        let studio = self.case.channel == Channel::Studio;
        let direct = if studio { self.rng.chance(80) } else { self.rng.chance(45) };
        if direct {
            let after = self.rng.delay(if studio { DAY } else { 3 * DAY });
            let answer = "您反映的问题已了解，经与有关方面沟通，已作安排，请留意后续进展。".to_string();
            if !self.by_receiver(after, Move::Reply { answer }) {
                return;
            }
        } else if !self.forward_and_answer(town, above) {
            return;
        }
        self.ratings();
    }

    /// Forwards to a lead (and sometimes assisting departments), lets each work, rates
    /// the results and answers the citizen. False when the story stopped.
    fn forward_and_answer(&mut self, town: usize, above: [usize; 3]) -> bool {
        let category = self.case.category.clone();
        let level = match self.rng.below(100) {
            0..=27 => town,
            28..=87 => above[0],
            88..=97 => above[1],
            _ => above[2],
        };
        let p = self.world.province;
        let Some(lead) = p.department(level, &category).or_else(|| p.department(above[0], &category)) else {
            let answer = "已转交有关部门研究，感谢您的关心。".to_string();
            let after = self.rng.delay(3 * DAY);
            return self.by_receiver(after, Move::Reply { answer });
        };
        let mut departments = vec![(lead, AssignmentRole::Lead)];
        if self.rng.chance(22) {
            let other = CATEGORIES[self.rng.below(CATEGORIES.len())];
            if let Some(d) = p.department(above[0], other).filter(|d| *d != lead) {
                departments.push((d, AssignmentRole::Assisting));
            }
        }
        let after = self.rng.delay(DAY);
        if !self.forward(after, &departments) {
            return false;
        }
        // A wrong department returns it (4%); the receiver forwards to the county's.
        if self.rng.chance(4) {
            let id = self.assignment_of(lead);
            let after = self.rng.delay(DAY);
            if !self.by_department(
                lead,
                after,
                Move::Return { assignment_id: id, reason: "不属于本单位职责范围。".into() },
            ) {
                return false;
            }
            let fallback = p.department(above[0], "other").filter(|d| *d != lead);
            let Some(next) = fallback else { return false };
            let after = self.rng.delay(DAY);
            if self.case.state != CaseState::Acknowledged {
                // Others still hold it: the returned lead leaves them to finish.
                departments.retain(|(d, _)| *d != lead);
            } else {
                if !self.forward(after, &[(next, AssignmentRole::Lead)]) {
                    return false;
                }
                departments = vec![(next, AssignmentRole::Lead)];
            }
        }
        for (department, _) in departments.clone() {
            if !self.department_work(department) {
                return false;
            }
        }
        let after = self.rng.delay(DAY);
        let answer = "经有关部门办理，您反映的问题已处理，办理结果如上，欢迎继续监督。".to_string();
        self.by_receiver(after, Move::Answer { answer })
    }

    fn forward(&mut self, after: Millis, departments: &[(usize, AssignmentRole)]) -> bool {
        let day = cst_date(self.t + after);
        let days = self.world.policy.assignment_days;
        let due = self.world.calendar.add_working_days(day, days).unwrap_or(day + chrono::Days::new(14));
        let assignments = departments
            .iter()
            .map(|(d, role)| NewAssignment {
                department_id: self.world.province.departments[*d].id.clone(),
                role: *role,
                due,
                note: "请按职责办理并按期反馈。".into(),
            })
            .collect();
        self.by_receiver(after, Move::Forward { assignments })
    }

    /// One department signs for its assignment, perhaps asks for more time, submits,
    /// and is rated (perhaps sent back once).
    fn department_work(&mut self, department: usize) -> bool {
        let id = self.assignment_of(department);
        let after = self.rng.delay(10 * HOUR);
        if !self.by_department(department, after, Move::SignFor { assignment_id: id.clone() }) {
            return false;
        }
        if self.rng.chance(7) {
            let due = self.current_due(&id);
            let new_due = self.world.calendar.add_working_days(due, 5).unwrap_or(due + chrono::Days::new(7));
            let after = self.rng.delay(3 * DAY);
            // Only before the due date passes: a late request is refused by the table.
            let in_time = cst_date(self.t + after.max(60_000)) <= due;
            let asked = Move::RequestExtension {
                assignment_id: id.clone(),
                new_due,
                reason: "需协调多个部门，申请延期。".into(),
            };
            if in_time && self.by_department(department, after, asked) {
                let after = self.rng.delay(6 * HOUR);
                let answer = if self.rng.chance(80) {
                    Move::GrantExtension { assignment_id: id.clone() }
                } else {
                    Move::RefuseExtension { assignment_id: id.clone(), reason: "请按原期限办理。".into() }
                };
                if !self.by_receiver(after, answer) {
                    return false;
                }
            }
        }
        // Some never deliver: they stay overdue.
        if self.rng.chance(3) {
            self.ended = true;
            return false;
        }
        // Results: most within the ten working days, a tail of late ones.
        let work = if self.rng.chance(85) { self.rng.delay(5 * DAY) } else { 12 * DAY + self.rng.delay(6 * DAY) };
        for round in 0..3 {
            let result = "已现场核实并完成整改，具体情况已电话告知群众。".to_string();
            let after = if round == 0 { work } else { self.rng.delay(3 * DAY) };
            if !self.by_department(department, after, Move::SubmitResult { assignment_id: id.clone(), result }) {
                return false;
            }
            let after = self.rng.delay(DAY);
            let graded = if round == 2 { grade(self.rng, 70, 30) } else { grade(self.rng, 74, 20) };
            if graded == Grade::Unsatisfied && self.rng.chance(30) {
                let reason = "办理结果不具体，请补充说明。".to_string();
                if !self.by_receiver(after, Move::SendBack { assignment_id: id.clone(), reason }) {
                    return false;
                }
                continue;
            }
            if !self.by_receiver(after, Move::RateResult { assignment_id: id.clone(), grade: graded }) {
                return false;
            }
            if graded.is_satisfied() {
                return true;
            }
        }
        false
    }

    /// The citizen rates (or lets the window pass and the receiver closes).
    fn ratings(&mut self) {
        for _ in 0..2 {
            let after = self.rng.delay(2 * DAY);
            let until = self.case.rating_until.unwrap_or(cst_date(self.t));
            if self.rng.chance(68) && cst_date(self.t + after.max(60_000)) <= until {
                let g = grade(self.rng, 78, 14);
                if !self.citizen(after, Move::CitizenRate { grade: g }) {
                    return;
                }
                if self.case.state != CaseState::Acknowledged {
                    return;
                }
                // Reopened: the receiver answers again.
                let after = self.rng.delay(3 * DAY);
                let answer = "已再次协调有关部门，问题已进一步落实。".to_string();
                if !self.by_receiver(after, Move::Reply { answer }) {
                    return;
                }
            } else {
                let wait = (until - cst_date(self.t)).num_days().max(0) * DAY + DAY + self.rng.delay(DAY);
                self.by_receiver(wait, Move::Close { note: "评价期已过，按程序办结。".into() });
                return;
            }
        }
    }

    fn assignment_of(&self, department: usize) -> String {
        let id = &self.world.province.departments[department].id;
        let live = self.assignments.iter().rev().find(|(a, _)| &a.department_id == id && a.state.is_live());
        live.map(|(a, _)| a.id.clone()).unwrap_or_default()
    }

    fn current_due(&self, assignment_id: &str) -> NaiveDate {
        self.assignments.iter().find(|(a, _)| a.id == assignment_id).map(|(a, _)| a.due).unwrap_or(cst_date(self.t))
    }

    fn by_receiver(&mut self, after: Millis, mv: Move) -> bool {
        let who = self.receiver.clone();
        self.step(after, Party::Receiver, who, mv)
    }

    fn by_department(&mut self, department: usize, after: Millis, mv: Move) -> bool {
        let d = &self.world.province.departments[department];
        let who = ("department_handler", d.id.clone(), format!("{}经办人", d.name));
        self.step(after, Party::Department(d.id.clone()), who, mv)
    }

    fn citizen(&mut self, after: Millis, mv: Move) -> bool {
        self.step(after, Party::Citizen, ("citizen", String::new(), "群众".to_string()), mv)
    }

    /// Plays one move `after` ms from the last, unless that is in the future.
    fn step(&mut self, after: Millis, party: Party, who: Who, mv: Move) -> bool {
        let at = self.t + after.max(60_000);
        if self.ended || at > self.world.now {
            self.ended = true;
            return false;
        }
        let today = cst_date(at);
        match transition(&self.view(), &mv, &party, today, self.world.rules) {
            Ok(outcome) => {
                self.t = at;
                self.apply(&mv, outcome, who);
                true
            }
            Err(_) => {
                self.refused += 1;
                self.ended = true;
                false
            }
        }
    }

    fn event(&mut self, who: Who, kind: &str, assignment_id: &str, note: &str, data: serde_json::Value) {
        self.events.push(CaseEvent {
            seq: 0,
            id: synth_id(self.t, self.rng),
            case_id: self.case.id.clone(),
            at: self.t,
            actor_kind: who.0.to_string(),
            actor_id: who.1,
            actor_name: who.2,
            kind: kind.to_string(),
            assignment_id: assignment_id.to_string(),
            note: note.to_string(),
            data: data.to_string(),
            prev_hash: String::new(),
            hash: String::new(),
        });
    }
}
