//! The wording of notices: built-in defaults (Chinese, courteous) that administrators
//! may override per key in `message_templates`. Templates are minijinja source, run in
//! its sandbox (no file or network access, bounded by fuel), with no HTML escaping:
//! the texts are plain text or DingTalk markdown.

use minijinja::value::{Serde, Value};
use minijinja::{Environment, UndefinedBehavior};

use crate::db::message_templates::StoredTemplate;
use crate::db::{self, DbResult, Tx};

/// One notice's built-in wording, and the variables its callers pass.
#[derive(Debug, Clone, Copy)]
pub struct DefaultTemplate {
    pub key: &'static str,
    /// What the notice is for, for the administrators' editing page.
    pub description: &'static str,
    /// The variables callers put in the context; `link` is always there.
    pub variables: &'static [&'static str],
    pub subject: &'static str,
    pub body: &'static str,
}

/// Every notice the platform sends, with its default wording.
pub const DEFAULTS: &[DefaultTemplate] = &[
    DefaultTemplate {
        key: "assignment_new",
        description: "新交办：民意件交由承办单位办理",
        variables: &["department", "case_title", "tracking_code", "due_date", "link"],
        subject: "【民意】新交办：{{ case_title }}",
        body: "{{ department }}：现将民意件「{{ case_title }}」（{{ tracking_code }}）交由您单位办理，\
               请于{{ due_date }}前办结并反馈。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "assignment_reminder",
        description: "办理提醒：承办期限将到",
        variables: &["department", "case_title", "tracking_code", "due_date", "link"],
        subject: "【民意】办理提醒：{{ case_title }}",
        body: "{{ department }}：您单位承办的民意件「{{ case_title }}」（{{ tracking_code }}）将于{{ due_date }}到期，\
               请及时办理。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "assignment_chase",
        description: "催办：承办期限已过，尚未办结",
        variables: &["department", "case_title", "tracking_code", "due_date", "link"],
        subject: "【民意】催办：{{ case_title }}",
        body: "{{ department }}：您单位承办的民意件「{{ case_title }}」（{{ tracking_code }}）已于{{ due_date }}到期，\
               目前尚未办结，请抓紧办理并及时反馈办理结果。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "assignment_escalation",
        description: "督办：逾期未办结，提请督查部门督办",
        variables: &["office", "department", "case_title", "tracking_code", "due_date", "overdue_days", "link"],
        subject: "【民意】督办：{{ case_title }}",
        body: "{{ office }}：{{ department }}承办的民意件「{{ case_title }}」（{{ tracking_code }}）已于{{ due_date }}到期，\
               {% if overdue_days %}逾期{{ overdue_days }}个工作日{% else %}逾期{% endif %}仍未办结，\
               请予督办。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "case_new",
        description: "新民意件：群众意见送达代表委员",
        variables: &["representative", "case_title", "tracking_code", "due_date", "link"],
        subject: "【民意】新民意件：{{ case_title }}",
        body: "{{ representative }}：您收到一件新的群众意见「{{ case_title }}」（{{ tracking_code }}），\
               请于{{ due_date }}前答复或转交相关部门办理。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "extension_granted",
        description: "延期已同意：承办单位的延期申请获批",
        variables: &["department", "case_title", "tracking_code", "due_date", "link"],
        subject: "【民意】延期已同意：{{ case_title }}",
        body: "{{ department }}：您单位承办的民意件「{{ case_title }}」（{{ tracking_code }}）的延期申请已同意，\
               新的办理期限为{{ due_date }}。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "case_answered",
        description: "已答复：告知群众其反映的问题已有答复（短信等）",
        variables: &["case_title", "tracking_code", "link"],
        subject: "【民意】您反映的问题已有答复",
        body: "您好！您反映的「{{ case_title }}」（查询码 {{ tracking_code }}）已有答复，\
               欢迎查看并对办理结果作出评价。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "assignment_returned",
        description: "退回：承办单位认为不属本单位职责",
        variables: &["department", "case_title", "tracking_code", "reason", "link"],
        subject: "【民意】交办件被退回：{{ case_title }}",
        body: "{{ department }}退回了民意件「{{ case_title }}」（{{ tracking_code }}），理由：{{ reason }}。\
               请重新确定承办单位。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "extension_requested",
        description: "延期申请：承办单位申请延长办理期限",
        variables: &["department", "case_title", "tracking_code", "due_date", "reason", "link"],
        subject: "【民意】延期申请：{{ case_title }}",
        body: "{{ department }}申请将民意件「{{ case_title }}」（{{ tracking_code }}）的办理期限延至{{ due_date }}，\
               理由：{{ reason }}。请审核。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "extension_refused",
        description: "延期未同意",
        variables: &["department", "case_title", "tracking_code", "due_date", "reason", "link"],
        subject: "【民意】延期未同意：{{ case_title }}",
        body: "{{ department }}：民意件「{{ case_title }}」（{{ tracking_code }}）的延期申请未获同意，\
               请按原期限{{ due_date }}办结。说明：{{ reason }}。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "assignment_result",
        description: "办理结果已提交，请评价",
        variables: &["department", "case_title", "tracking_code", "link"],
        subject: "【民意】办理结果待评价：{{ case_title }}",
        body: "{{ department }}已提交民意件「{{ case_title }}」（{{ tracking_code }}）的办理结果，请查看并评价。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "assignment_sent_back",
        description: "办理结果被退回重办",
        variables: &["department", "case_title", "tracking_code", "reason", "link"],
        subject: "【民意】请重新办理：{{ case_title }}",
        body: "{{ department }}：民意件「{{ case_title }}」（{{ tracking_code }}）的办理结果需重新办理，\
               意见：{{ reason }}。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "assignment_rated",
        description: "办理结果已评价",
        variables: &["department", "case_title", "tracking_code", "grade", "link"],
        subject: "【民意】办理结果已评价：{{ case_title }}",
        body: "{{ department }}：您单位办理的民意件「{{ case_title }}」（{{ tracking_code }}）已评价为“{{ grade }}”。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "case_info_added",
        description: "群众已补充材料",
        variables: &["case_title", "tracking_code", "link"],
        subject: "【民意】群众已补充材料：{{ case_title }}",
        body: "民意件「{{ case_title }}」（{{ tracking_code }}）的反映人已补充材料，请继续办理。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "case_rated",
        description: "群众已评价答复",
        variables: &["case_title", "tracking_code", "grade", "link"],
        subject: "【民意】群众已评价：{{ case_title }}",
        body: "民意件「{{ case_title }}」（{{ tracking_code }}）的反映人评价为“{{ grade }}”，此件已办结。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "case_reopened",
        description: "群众不满意，重新办理",
        variables: &["case_title", "tracking_code", "link"],
        subject: "【民意】群众不满意，请重新办理：{{ case_title }}",
        body: "民意件「{{ case_title }}」（{{ tracking_code }}）的反映人对答复不满意，此件已重新打开，请再次办理。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "case_withdrawn",
        description: "群众撤回",
        variables: &["case_title", "tracking_code", "link"],
        subject: "【民意】群众已撤回：{{ case_title }}",
        body: "民意件「{{ case_title }}」（{{ tracking_code }}）已由反映人撤回，无需继续办理。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "case_reminder",
        description: "答复提醒：民意件答复期限将到",
        variables: &["case_title", "tracking_code", "due_date", "link"],
        subject: "【民意】答复提醒：{{ case_title }}",
        body: "您收到的民意件「{{ case_title }}」（{{ tracking_code }}）应于{{ due_date }}前答复，请及时处理。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "case_chase",
        description: "催办：民意件答复期限已过",
        variables: &["case_title", "tracking_code", "due_date", "link"],
        subject: "【民意】催办：{{ case_title }}",
        body: "您收到的民意件「{{ case_title }}」（{{ tracking_code }}）已于{{ due_date }}到期，尚未答复，请抓紧处理。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "case_escalation",
        description: "督办：民意件逾期未答复",
        variables: &["office", "case_title", "tracking_code", "due_date", "overdue_days", "link"],
        subject: "【民意】督办：{{ case_title }}",
        body: "{{ office }}：民意件「{{ case_title }}」（{{ tracking_code }}）已于{{ due_date }}到期，\
               逾期{{ overdue_days }}个工作日仍未答复，请予督办。查看：{{ link }}",
    },
    DefaultTemplate {
        key: "webhook_paused",
        description: "接口推送暂停：对外推送多次失败",
        variables: &["name", "url", "failures", "link"],
        subject: "【民意】接口推送已暂停：{{ name }}",
        body: "您管理的接口推送「{{ name }}」（{{ url }}）已连续{{ failures }}次推送失败，系统已暂停推送。\
               请核实接收方地址后恢复推送。查看：{{ link }}",
    },
];

/// The wording used for a key that has neither an override nor a default.
const UNKNOWN_SUBJECT: &str = "【民意】通知";
const UNKNOWN_BODY: &str = "您有一条新的通知。{% if link %}查看：{{ link }}{% endif %}";

/// How much work one rendering may do before it is stopped (a runaway loop in an
/// administrator's template must not hang delivery).
const FUEL: u64 = 100_000;

/// A notice's subject (one line) and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

pub fn default_template(key: &str) -> Option<&'static DefaultTemplate> {
    DEFAULTS.iter().find(|template| template.key == key)
}

/// Renders notice `key` with `context` (a JSON object): the administrators' override
/// if there is one, else the built-in default. An override that does not render (bad
/// syntax, a variable the caller does not pass) is logged and the default is used; a
/// default missing one of its variables is logged and rendered with it left empty.
/// Only a database error fails.
pub async fn render(tx: &mut Tx, key: &str, context: &serde_json::Value) -> DbResult<Rendered> {
    let stored = db::message_templates::get(tx, key).await?;
    Ok(render_stored(stored.as_ref(), key, context))
}

/// [`render`] with the stored wording already read (`None`: there is none).
pub fn render_stored(stored: Option<&StoredTemplate>, key: &str, context: &serde_json::Value) -> Rendered {
    if let Some(stored) = stored {
        match render_strict(&stored.subject, &stored.body, context) {
            Ok(rendered) => return rendered,
            Err(error) => {
                tracing::warn!(key, error = %error, "the stored template does not render; using the default")
            }
        }
    }
    render_default(key, context)
}

/// Renders the built-in wording of `key`, never failing.
pub fn render_default(key: &str, context: &serde_json::Value) -> Rendered {
    let (subject, body) = match default_template(key) {
        Some(template) => (template.subject, template.body),
        None => {
            tracing::error!(key, "no template has this key");
            (UNKNOWN_SUBJECT, UNKNOWN_BODY)
        }
    };
    match render_strict(subject, body, context) {
        Ok(rendered) => rendered,
        Err(error) => {
            tracing::error!(key, error = %error, "the default template lacks a variable; rendering it leniently");
            render_with(subject, body, context, UndefinedBehavior::Lenient)
                .unwrap_or_else(|_| Rendered { subject: UNKNOWN_SUBJECT.to_string(), body: String::new() })
        }
    }
}

/// Whether an administrator's template parses and renders with sample values for the
/// variables of its key; the error names the problem.
pub fn check(key: &str, subject: &str, body: &str) -> Result<(), String> {
    let mut sample = serde_json::Map::new();
    for variable in default_template(key).map(|template| template.variables).unwrap_or(&["link"]) {
        sample.insert(variable.to_string(), serde_json::Value::String(format!("〈{variable}〉")));
    }
    render_strict(subject, body, &serde_json::Value::Object(sample)).map(|_| ()).map_err(|error| error.to_string())
}

/// Printing a variable the context lacks is an error; testing it with `if` is not.
fn render_strict(subject: &str, body: &str, context: &serde_json::Value) -> Result<Rendered, minijinja::Error> {
    render_with(subject, body, context, UndefinedBehavior::SemiStrict)
}

fn render_with(
    subject: &str,
    body: &str,
    context: &serde_json::Value,
    undefined: UndefinedBehavior,
) -> Result<Rendered, minijinja::Error> {
    let mut environment = Environment::new();
    environment.set_undefined_behavior(undefined);
    environment.set_fuel(Some(FUEL));
    let context = Value::from(Serde(context));
    let subject = environment.render_str(subject, context.clone())?;
    let body = environment.render_str(body, context)?;
    Ok(Rendered { subject: subject.split_whitespace().collect::<Vec<_>>().join(" "), body: body.trim().to_string() })
}
