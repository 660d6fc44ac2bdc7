//! What the case pages share: labels of states, channels and grades, and the
//! forms of the moves, built from the moves the action allows.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Shell;
use crate::actions::cases::{CaseDetail, row_field};
use crate::domain::case::{Assignment, AssignmentRole, CATEGORIES, CaseEvent, Channel, Grade};
use crate::domain::workflow::MoveKind;
use crate::domain::{FieldError, Msg};

/// Forward rows a page offers (the action accepts up to `MAX_FORWARD_ROWS`).
pub const FORWARD_ROWS: usize = 3;

/// The order the forms appear in: the usual next step first, the rare and the
/// drastic last.
const ORDER: [MoveKind; 18] = [
    MoveKind::Acknowledge,
    MoveKind::SignFor,
    MoveKind::SubmitResult,
    MoveKind::RateResult,
    MoveKind::SendBack,
    MoveKind::GrantExtension,
    MoveKind::RefuseExtension,
    MoveKind::Forward,
    MoveKind::Answer,
    MoveKind::Reply,
    MoveKind::RequestInfo,
    MoveKind::RequestExtension,
    MoveKind::Return,
    MoveKind::AddInfo,
    MoveKind::CitizenRate,
    MoveKind::Close,
    MoveKind::Merge,
    MoveKind::Withdraw,
];

const GRADES: [Grade; 3] = [Grade::Satisfied, Grade::BasicallySatisfied, Grade::Unsatisfied];

pub fn grade_label(shell: &Shell<'_>, grade: Grade) -> String {
    shell.t(&format!("grade-{}", grade.as_str()))
}

pub fn channel_label(shell: &Shell<'_>, channel: Channel) -> String {
    shell.t(&format!("channel-{}", channel.as_str()))
}

pub fn category_label(shell: &Shell<'_>, category: &str) -> String {
    shell.t(&format!("category-{category}"))
}

pub fn role_label(shell: &Shell<'_>, role: AssignmentRole) -> String {
    shell.t(&format!("arole-{}", role.as_str()))
}

pub fn date_text(date: Option<NaiveDate>) -> String {
    date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// A choice of a select or a group of radio buttons.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One input of a move's form.
pub struct Input {
    pub id: String,
    pub name: String,
    pub label: String,
    /// `textarea`, `text`, `date`, `number`, `select` or `radio`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<Choice>,
    pub error: Option<String>,
    pub hint: String,
    pub required: bool,
}

impl Input {
    /// The ids of the error and the hint that describe this input.
    pub fn described_by(&self) -> String {
        let error = self.error.as_ref().map(|_| format!("{}-e", self.id));
        let hint = (!self.hint.is_empty()).then(|| format!("{}-h", self.id));
        [error, hint].into_iter().flatten().collect::<Vec<_>>().join(" ")
    }
}

/// Inputs under one legend (a forward names several departments).
pub struct Group {
    pub legend: String,
    pub inputs: Vec<Input>,
}

/// The form of one allowed move.
pub struct MoveForm {
    pub id: String,
    pub kind: &'static str,
    pub title: String,
    pub action: String,
    pub version: i64,
    pub assignment_id: String,
    pub groups: Vec<Group>,
    pub button: String,
    pub danger: bool,
    /// Problems that belong to no one input.
    pub errors: Vec<String>,
    /// Shown open: it has inputs and came back with problems, or it is only a button.
    pub open: bool,
}

impl MoveForm {
    pub fn has_inputs(&self) -> bool {
        self.groups.iter().any(|g| !g.inputs.is_empty())
    }
}

/// What was sent and what was wrong with it, to show one form again.
pub struct Returned<'a> {
    pub kind: MoveKind,
    pub assignment_id: &'a str,
    pub values: &'a BTreeMap<String, String>,
    pub errors: &'a [FieldError],
}

/// A form for each move `detail` allows; `base` is the page's URL (`/cases/…`).
pub fn move_forms(
    shell: &Shell<'_>,
    detail: &CaseDetail,
    base: &str,
    default_days: u32,
    returned: Option<&Returned<'_>>,
) -> Vec<MoveForm> {
    let mut allowed: Vec<&(MoveKind, Option<String>)> = detail.allowed.iter().collect();
    allowed.sort_by_key(|(kind, _)| ORDER.iter().position(|k| k == kind));
    allowed
        .into_iter()
        .enumerate()
        .map(|(index, (kind, assignment_id))| {
            let assignment = assignment_id.as_ref().and_then(|id| detail.assignments.iter().find(|a| &a.id == id));
            let back =
                returned.filter(|r| r.kind == *kind && r.assignment_id == assignment_id.as_deref().unwrap_or_default());
            let mut form = MoveForm {
                id: format!("m{index}"),
                kind: kind.as_str(),
                title: form_title(shell, *kind, assignment),
                action: format!("{base}/moves/{}", kind.as_str()),
                version: detail.case.version,
                assignment_id: assignment_id.clone().unwrap_or_default(),
                groups: Vec::new(),
                button: shell.t(&format!("move-{}", kind.as_str())),
                danger: matches!(kind, MoveKind::Withdraw | MoveKind::Return | MoveKind::Merge),
                errors: Vec::new(),
                // The citizen's answers to what was asked of them are the point of their page.
                open: back.is_some() || matches!(kind, MoveKind::AddInfo | MoveKind::CitizenRate),
            };
            let mut inputs = Inputs { shell, form_id: form.id.clone(), back, used: Vec::new() };
            form.groups = groups(&mut inputs, *kind, detail, default_days);
            if let Some(back) = back {
                form.errors =
                    back.errors.iter().filter(|e| !inputs.used.contains(&e.field)).map(|e| shell.msg(&e.msg)).collect();
            }
            form
        })
        .collect()
}

fn form_title(shell: &Shell<'_>, kind: MoveKind, assignment: Option<&Assignment>) -> String {
    let name = shell.t(&format!("move-{}", kind.as_str()));
    match assignment {
        Some(a) => match a.requested_due {
            Some(requested) if matches!(kind, MoveKind::GrantExtension | MoveKind::RefuseExtension) => {
                let asked = shell.msg(&Msg::new("extension-asked").with("due", requested));
                format!("{name} · {}（{asked}）", a.department_name)
            }
            _ => format!("{name} · {}", a.department_name),
        },
        None => name,
    }
}

struct Inputs<'s, 'a> {
    shell: &'s Shell<'a>,
    form_id: String,
    back: Option<&'s Returned<'s>>,
    used: Vec<String>,
}

impl Inputs<'_, '_> {
    fn input(&mut self, name: &str, kind: &'static str, label_key: &str, default: &str) -> Input {
        self.used.push(name.to_string());
        let sent = self.back.and_then(|b| b.values.get(name)).cloned();
        let error = self.back.and_then(|b| b.errors.iter().find(|e| e.field == name)).map(|e| self.shell.msg(&e.msg));
        let hint_key = format!("{label_key}-hint");
        Input {
            id: format!("{}-{}", self.form_id, name.replace('.', "-")),
            name: name.to_string(),
            label: self.shell.t(label_key),
            kind,
            value: sent.unwrap_or_else(|| default.to_string()),
            options: Vec::new(),
            error,
            hint: if self.shell.i18n.has(self.shell.lang, &hint_key) { self.shell.t(&hint_key) } else { String::new() },
            required: true,
        }
    }

    fn choices(&mut self, mut input: Input, choices: Vec<(String, String)>) -> Input {
        input.options =
            choices.into_iter().map(|(value, label)| Choice { selected: value == input.value, value, label }).collect();
        input
    }

    fn grade(&mut self) -> Input {
        let input = self.input("grade", "radio", "field-grade", "");
        let choices = GRADES.iter().map(|g| (g.as_str().to_string(), grade_label(self.shell, *g))).collect();
        self.choices(input, choices)
    }
}

fn one(inputs: Vec<Input>) -> Vec<Group> {
    if inputs.is_empty() { Vec::new() } else { vec![Group { legend: String::new(), inputs }] }
}

fn groups(inputs: &mut Inputs<'_, '_>, kind: MoveKind, detail: &CaseDetail, default_days: u32) -> Vec<Group> {
    match kind {
        MoveKind::Acknowledge | MoveKind::SignFor | MoveKind::GrantExtension => Vec::new(),
        MoveKind::Reply | MoveKind::Answer => one(vec![inputs.input("answer", "textarea", "field-answer", "")]),
        MoveKind::RequestInfo => one(vec![inputs.input("question", "textarea", "field-question", "")]),
        MoveKind::Close => one(vec![inputs.input("note", "textarea", "field-close-note", "")]),
        MoveKind::Merge => one(vec![inputs.input("into", "text", "field-merge-into", "")]),
        MoveKind::Return | MoveKind::RefuseExtension | MoveKind::SendBack => {
            one(vec![inputs.input("reason", "textarea", "field-reason", "")])
        }
        MoveKind::RequestExtension => one(vec![
            inputs.input("new_due", "date", "field-new-due", ""),
            inputs.input("reason", "textarea", "field-reason", ""),
        ]),
        MoveKind::SubmitResult => one(vec![inputs.input("result", "textarea", "field-result", "")]),
        MoveKind::RateResult | MoveKind::CitizenRate => one(vec![inputs.grade()]),
        MoveKind::AddInfo => one(vec![inputs.input("text", "textarea", "field-add-info", "")]),
        MoveKind::Withdraw => {
            let mut reason = inputs.input("reason", "textarea", "field-withdraw-reason", "");
            reason.required = false;
            one(vec![reason])
        }
        MoveKind::Forward => forward_groups(inputs, detail, default_days),
    }
}

fn forward_groups(inputs: &mut Inputs<'_, '_>, detail: &CaseDetail, default_days: u32) -> Vec<Group> {
    let has_lead = detail.assignments.iter().any(|a| a.state.is_live() && a.role == AssignmentRole::Lead);
    let shell = inputs.shell;
    let departments: Vec<(String, String)> = std::iter::once((String::new(), shell.t("choose")))
        .chain(detail.forward_choices.iter().map(|d| (d.id.clone(), format!("{}（{}）", d.input.name, d.region_name))))
        .collect();
    let roles = |first: bool| {
        let lead = (AssignmentRole::Lead.as_str().to_string(), role_label(shell, AssignmentRole::Lead));
        let assisting = (AssignmentRole::Assisting.as_str().to_string(), role_label(shell, AssignmentRole::Assisting));
        if first && !has_lead { vec![lead, assisting] } else { vec![assisting, lead] }
    };
    (0..FORWARD_ROWS)
        .map(|n| {
            let department = inputs.input(&row_field("department_id", n), "select", "field-department", "");
            let mut department = inputs.choices(department, departments.clone());
            department.required = n == 0;
            let role = inputs.input(&row_field("role", n), "select", "field-role", "");
            let role = inputs.choices(role, roles(n == 0));
            let days = inputs.input(&row_field("due_days", n), "number", "field-due-days", &default_days.to_string());
            let mut due = inputs.input(&row_field("due", n), "date", "field-due-date", "");
            due.required = false;
            let mut note = inputs.input(&row_field("note", n), "text", "field-assignment-note", "");
            note.required = false;
            let key = if n == 0 { "forward-row-first" } else { "forward-row-more" };
            let legend = shell.msg(&Msg::new(key).with("n", n + 1));
            Group { legend, inputs: vec![department, role, days, due, note] }
        })
        .collect()
}

/// The categories as select choices, with a first "choose" entry.
pub fn category_choices(shell: &Shell<'_>, selected: &str) -> Vec<Choice> {
    std::iter::once((String::new(), shell.t("choose")))
        .chain(CATEGORIES.iter().map(|c| (c.to_string(), category_label(shell, c))))
        .map(|(value, label)| Choice { selected: value == selected, value, label })
        .collect()
}

/// One line of a case's history as a page shows it.
pub struct TimelineEntry {
    pub at: String,
    pub who: String,
    pub what: String,
    pub detail: String,
    pub note: String,
}

/// The history, with assignment events naming their department and forwards,
/// ratings and extension requests their particulars.
pub fn timeline(shell: &Shell<'_>, detail: &CaseDetail) -> Vec<TimelineEntry> {
    detail.events.iter().map(|event| timeline_entry(shell, detail, event)).collect()
}

fn timeline_entry(shell: &Shell<'_>, detail: &CaseDetail, event: &CaseEvent) -> TimelineEntry {
    let department_of = |id: &str| detail.assignments.iter().find(|a| a.id == id || a.department_id == id);
    let data: serde_json::Value = serde_json::from_str(&event.data).unwrap_or_default();
    let mut parts = Vec::new();
    if let Some(a) = department_of(&event.assignment_id).filter(|_| !event.assignment_id.is_empty()) {
        parts.push(a.department_name.clone());
    }
    for new in data.get("assignments").and_then(|v| v.as_array()).into_iter().flatten() {
        let id = new.get("department_id").and_then(|v| v.as_str()).unwrap_or_default();
        let name = department_of(id).map(|a| a.department_name.clone()).unwrap_or_default();
        let role = new.get("role").and_then(|v| v.as_str()).and_then(AssignmentRole::parse);
        let due = new.get("due").and_then(|v| v.as_str()).unwrap_or_default();
        let role = role.map(|r| role_label(shell, r)).unwrap_or_default();
        parts.push(shell.msg(&Msg::new("event-forward-to").with("name", name).with("role", role).with("due", due)));
    }
    if let Some(grade) = data.get("grade").and_then(|v| v.as_str()).and_then(|g| Grade::parse("grade", g).ok()) {
        parts.push(grade_label(shell, grade));
    }
    if let Some(due) = data.get("new_due").and_then(|v| v.as_str()) {
        parts.push(shell.msg(&Msg::new("event-new-due").with("due", due)));
    }
    TimelineEntry {
        at: super::admin::china_time(event.at),
        who: if event.actor_kind == "citizen" { shell.t("who-citizen") } else { event.actor_name.clone() },
        what: shell.t(&format!("event-{}", event.kind)),
        detail: parts.join("；"),
        note: event.note.clone(),
    }
}

/// A photo or voice message as a case page shows it.
pub struct FileView {
    pub href: String,
    pub thumb: String,
    pub alt: String,
    pub is_photo: bool,
    pub width: i64,
    pub height: i64,
}

/// The attachments of a case, linked under `base` (`/cases/{id}` or `/track/{code}`).
pub fn file_views(shell: &Shell<'_>, base: &str, detail: &CaseDetail) -> Vec<FileView> {
    let mut photo = 0;
    detail
        .attachments
        .iter()
        .map(|a| {
            let href = format!("{base}/files/{}", a.id);
            let alt = if a.is_photo() {
                photo += 1;
                shell.msg(&Msg::new("case-photo-alt").with("n", photo))
            } else {
                shell.t("case-voice")
            };
            let (width, height) =
                crate::domain::attachment::fit(a.width as u32, a.height as u32, crate::domain::attachment::THUMB_SIDE);
            FileView {
                thumb: format!("{href}/thumb"),
                href,
                alt,
                is_photo: a.is_photo(),
                width: i64::from(width),
                height: i64::from(height),
            }
        })
        .collect()
}
